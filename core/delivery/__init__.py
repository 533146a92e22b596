"""Delivery: the outbox, the dispatcher, rate limits, the scheduler tick and the worker loops."""
