from django.db import models


class Clearance(models.TextChoices):
    NONE = "none", "None"
    STANDARD = "standard", "Standard"
    ENHANCED = "enhanced", "Enhanced"


CLEARANCE_RANK = {Clearance.NONE: 0, Clearance.STANDARD: 1, Clearance.ENHANCED: 2}


class Criticality(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"
