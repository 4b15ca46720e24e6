"""Did it work, and what came after: response assessments computed from findings, the events of
a course after infusion (relapse, death, transplant, new therapy, contacts), and the late
effects of CAR-T (IgG, B cells, blood counts with ICAHT, infections, second malignancies,
IEC-HS). Rules in tracker.clinical (response, cytopenia, immune_reconstitution, lab_ranges);
writes in services; reads in selectors."""
