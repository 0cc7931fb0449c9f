from django.db import models


class Thing(models.Model):
    id = models.BigAutoField(primary_key=True)
    source = models.CharField(max_length=40)
    external_id = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    priority = models.CharField(max_length=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "floorapp"
        unique_together = [("source", "external_id")]

    def __str__(self):
        return f"{self.source}:{self.external_id}"
