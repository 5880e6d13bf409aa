"""Send the public pages' reads to a read replica when `DATABASE_REPLICA_URL` is set.

Only reads made while a public GET is being answered go to the replica; the admin,
imports and every write stay on the primary, so editors always read what they wrote.
"""

from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
public_read: ContextVar[bool] = ContextVar("public_read", default=False)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if public_read.get() and REPLICA in settings.DATABASES else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
