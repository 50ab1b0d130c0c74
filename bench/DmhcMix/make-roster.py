#!/usr/bin/env python3
"""Writes samples/dmhc-roster.json: a deterministic roster of a few hundred fictitious reviewers for the DMHC routing
report (bench/DmhcMix). Specialty head-counts follow the share of the DMHC case mix each specialty serves; some reviewers
are inactive, licensed outside California only, short of active practice hours, or tied to a health plan, as on a real
IMRO panel. Names are invented (Dr. <Given> <Family>), never real people. Run: python3 bench/DmhcMix/make-roster.py"""
import json, random, pathlib

random.seed(1374)
SPECIALTIES = {  # specialty: (head-count, a frequent second specialty or None)
    "Internal Medicine": (30, None), "Psychiatry": (28, None), "Psychology": (10, None),
    "Orthopedic Surgery": (20, None), "Orthopedic Spine Surgery": (10, "Orthopedic Surgery"),
    "Physical Medicine and Rehabilitation": (20, None), "Pain Medicine": (14, "Anesthesiology"), "Anesthesiology": (6, None),
    "Neurology": (12, None), "Neurological Surgery": (6, None), "Radiology": (10, None),
    "Medical Oncology": (12, "Hematology and Oncology"), "Hematology and Oncology": (4, None), "Radiation Oncology": (4, None),
    "Surgical Oncology": (3, "General Surgery"), "General Surgery": (12, None), "Bariatric Surgery": (3, "General Surgery"),
    "Plastic Surgery": (8, None), "Hand Surgery": (3, "Orthopedic Surgery"), "Cardiology": (10, None),
    "Thoracic and Cardiovascular Surgery": (3, None), "Vascular Surgery": (3, None), "Otolaryngology": (6, None),
    "Obstetrics and Gynecology": (8, None), "Urology": (4, None), "Ophthalmology": (5, None), "Optometry": (3, None),
    "Infectious Disease": (6, None), "Gastroenterology": (6, None), "Endocrinology": (6, None), "Family Medicine": (12, None),
    "Emergency Medicine": (6, None), "Pediatrics": (8, None), "Addiction Medicine": (4, "Psychiatry"), "Chiropractic": (4, None),
    "Acupuncture": (3, None), "Oral and Maxillofacial Surgery": (2, None), "Dentistry": (2, None),
}
GIVEN = ["Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn", "Rowan", "Drew", "Reese", "Kai", "Emerson", "Harper"]
FAMILY = ["Ashdown", "Brightwell", "Calloway", "Dunmore", "Everly", "Fairbank", "Greyson", "Holloway", "Ingram", "Jessop", "Kendrick", "Lockhart",
          "Merriweather", "Northcott", "Oakley", "Pemberton", "Quincey", "Redfern", "Stanwick", "Thistlewood", "Underhill", "Vance", "Whitlock", "Yardley"]
PLANS = ["Golden Coast Health Plan", "Sierra Vista Health", "Pacific Crest Medical Plan", "Redwood Valley Health Plan", "Bayshore Care Plan"]
OTHER_STATES = ["Texas", "Arizona", "Oregon", "Washington", "New York", "Florida"]

roster, n = [], 0
for specialty, (count, second) in SPECIALTIES.items():
    for i in range(count):
        n += 1
        rid = f"dmhc-{n:03d}"
        specialties = [specialty] + ([second] if second and i % 2 == 0 else [])
        roll = random.random()
        if i == 0:
            roll = 0.0  # every specialty keeps at least one usable reviewer: active, licensed in California, in practice
        states = ["California"] + random.sample(OTHER_STATES, random.randint(0, 2))
        if 0.93 <= roll < 0.97:
            states = random.sample(OTHER_STATES, 1)  # licensed outside California only
        affiliations = []
        if random.random() < 0.12:
            affiliations.append({"kind": "Insurer", "name": random.choice(PLANS), "aliases": []})
        roster.append({
            "reviewerId": rid,
            "name": f"Dr. {random.choice(GIVEN)} {random.choice(FAMILY)}-{n:03d}",
            "email": f"{rid}@reviewers.example",
            "specialties": specialties,
            "boardCertifications": [specialty],
            "licensedStates": states,
            "yearsInPractice": random.randint(6, 35),
            "activePracticeHoursPerWeek": 16 if 0.90 <= roll < 0.93 else random.randint(24, 50),
            "affiliations": affiliations,
            "capacity": random.randint(5, 20),
            "active": not roll >= 0.97,
            "timeZone": "America/Los_Angeles",
        })

out = pathlib.Path(__file__).resolve().parents[2] / "samples" / "dmhc-roster.json"
out.write_text(json.dumps(roster, indent=1) + "\n")
print(f"{len(roster)} reviewers -> {out}")
