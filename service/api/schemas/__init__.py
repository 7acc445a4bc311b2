"""Request and response models, one module per resource and one model per role.

``…Create`` models are what clients send (``extra="forbid"``); ``…Public``
models are what the API answers. Every field says what it means: these
descriptions are the OpenAPI documentation.
"""
