"""The distributed queue: Celery on Redis (``PLANREVIEW_BROKER_URL``), for scaled-out serving.

- :mod:`service.queue.app` builds the Celery app from the settings (at-least-once:
  late acks, requeue on worker loss, one message per worker process at a time).
- :mod:`service.queue.tasks` is what ``planreview worker`` runs: review jobs
  (rows in the database, claimed under a lease exactly as the in-process runner
  does) and the per-plan reviews of a distributed batch.
- :mod:`service.queue.dispatch` is the API server's side: it enqueues jobs
  instead of running them, and re-enqueues the jobs of workers that are gone.

Nothing here is imported unless a broker is configured: the embedded default
needs neither Celery nor Redis (``pip install 'planreview[server]'`` brings them).
"""
