from grids.models.categories import Category, CategoryTree, HandlingLevel
from grids.models.hierarchy import CODE_LENGTH, LEVEL_ORDER, FormerNetwork, GridKind, Region, RegionLevel
from grids.models.imports import ImportJob
from grids.models.incidents import (
    Assignment,
    Channel,
    ContactLog,
    ExtensionRequest,
    Incident,
    IncidentEvent,
    IncidentPhoto,
    IncidentStatus,
    RequestType,
    Supervision,
    Urgency,
    WhistleCall,
    WhistleSummons,
)
from grids.models.registers import (
    Building,
    CareGroup,
    Household,
    HousingUnit,
    Organisation,
    Resident,
    SpecialGroupRecord,
)

__all__ = [
    "Assignment", "Category", "CategoryTree", "Channel", "ContactLog", "ExtensionRequest", "HandlingLevel",
    "Incident", "IncidentEvent", "IncidentPhoto", "IncidentStatus", "RequestType", "Supervision", "Urgency",
    "WhistleCall", "WhistleSummons",
    "CODE_LENGTH", "LEVEL_ORDER", "Building", "CareGroup", "FormerNetwork", "GridKind", "Household", "HousingUnit",
    "ImportJob", "Organisation", "Region", "RegionLevel", "Resident", "SpecialGroupRecord",
]
