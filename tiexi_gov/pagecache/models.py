from django.db import models


class DataGeneration(models.Model):
    """One row: a random token replaced after every committed write (writes.py). Pages cached under an older token
    are never served again. The row lives in the database, so every process (web workers, Celery, commands) shares
    it, whatever cache each process keeps pages in."""

    token = models.BigIntegerField()

    class Meta:
        verbose_name = "数据版本"
