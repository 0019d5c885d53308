from listings.models.catalogue import ListItem, ListItemRevision, ListItemStatus, ListKind, ListPurpose, in_force_q

__all__ = ["ListItem", "ListItemRevision", "ListItemStatus", "ListKind", "ListPurpose", "in_force_q"]
