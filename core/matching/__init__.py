"""Chinese-aware job search: normalisation, pinyin, synonyms, occupations and the index."""

from core.matching.search import AreaLookup, Hit, OpeningDoc, SearchIndex, SearchResult
from core.matching.synonyms import Occupation, SynonymGroup, VocabularyError
from core.matching.vocabulary import OccupationMatch, Vocabulary, load_vocabulary

__all__ = [
    "AreaLookup",
    "Hit",
    "Occupation",
    "OccupationMatch",
    "OpeningDoc",
    "SearchIndex",
    "SearchResult",
    "SynonymGroup",
    "Vocabulary",
    "VocabularyError",
    "load_vocabulary",
]
