"""What the rights worker does for each right, one module per right (docs/architecture.md §7):
``access`` (access and portability), ``erasure``, ``restriction`` (restriction, objection and lifting
either), ``rectification``, ``consent`` (consent withdrawal), over the shared steps of ``base``.
The dispatch, the guards and the lease are contact_intake.rights.engine's."""
