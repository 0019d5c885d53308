from grids.models.hierarchy import CODE_LENGTH, LEVEL_ORDER, FormerNetwork, GridKind, Region, RegionLevel
from grids.models.imports import ImportJob
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
    "CODE_LENGTH", "LEVEL_ORDER", "Building", "CareGroup", "FormerNetwork", "GridKind", "Household", "HousingUnit",
    "ImportJob", "Organisation", "Region", "RegionLevel", "Resident", "SpecialGroupRecord",
]
