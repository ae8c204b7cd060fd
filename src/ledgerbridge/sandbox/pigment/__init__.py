"""The Pigment emulator: Pigment's External API (legacy and ``/api/v1``) over an in-memory planning model.

``app.create_app(settings)`` builds it; ``app.sandbox_emulator`` is the factory ``sandbox up`` registers.
"""
