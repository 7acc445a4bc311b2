"""Alembic migrations of the review database; they ship inside the package.

``service.store.schema`` runs them (``planreview db upgrade``, and every server at
start-up, behind a lock). Add a change as a new file in ``versions/`` whose
``down_revision`` is the current head; never edit a released one.
"""
