"""The HTTP front: FastAPI app, health check, webhooks mounted by the channel packages."""
