"""The chat flows of 投诉建议: the resident's filing and rating, staff handling from 待办."""
