from listings.admission.models.applications import (
    AdmissionEvent,
    Application,
    ApplicationStatus,
    EventKind,
    ReportingCycle,
    Track,
)
from listings.admission.models.tasks import (
    SEPARATE_CHECK_KINDS,
    AdmittedTask,
    AdmittedTaskStatus,
    ExtraDemand,
    ExtraDemandKind,
    GateReason,
    SentTask,
    SentTaskEvent,
    SentTaskKind,
    SentTaskState,
)

__all__ = [
    "SEPARATE_CHECK_KINDS", "AdmissionEvent", "AdmittedTask", "AdmittedTaskStatus", "Application",
    "ApplicationStatus", "EventKind", "ExtraDemand", "ExtraDemandKind", "GateReason", "ReportingCycle", "SentTask",
    "SentTaskEvent", "SentTaskKind", "SentTaskState", "Track",
]
