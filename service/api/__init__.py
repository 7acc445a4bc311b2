"""The HTTP API: FastAPI routes over the review pipeline (see app.create_app)."""
