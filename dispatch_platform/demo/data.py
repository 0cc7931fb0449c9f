"""Static material for the demo data: real US places, people's names, skills, parts, job catalogue.

Coordinates are not written here: they come from the offline ZIP table (sites.geo.coordinates_for_zip)
and time zones from the coordinates (sites.geo.timezone_for), exactly as for a site created by the API.
"""

from __future__ import annotations

DEMO_PASSWORD = "dispatch-demo"

# --- Calendars (api-contract.md shape, local time) -----------------------------------------------------
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _hours(days: str, start: str, end: str, base: dict | None = None) -> dict:
    out = {d: [] for d in WEEKDAYS} if base is None else {d: list(v) for d, v in base.items()}
    for d in days.split():
        out[d] = [[start, end]]
    return out


OFFICE_HOURS = _hours("mon tue wed thu fri", "08:00", "18:00")
BRANCH_HOURS = _hours("mon tue wed thu fri", "08:00", "18:00")
RETAIL_HOURS = _hours("sun", "10:00", "18:00", _hours("mon tue wed thu fri sat", "09:00", "21:00"))
ALWAYS_OPEN = _hours("mon tue wed thu fri sat sun", "00:00", "24:00")

SHIFT_DAY = _hours("mon tue wed thu fri", "08:00", "17:00")
SHIFT_EVENING = _hours("mon tue wed thu fri", "14:00", "23:00")
SHIFT_WEEKEND = _hours("wed thu fri sat sun", "08:00", "17:00")
# Overnight on-call for the 24x7 sites: each night is its two halves (api-contract.md).
SHIFT_NIGHT = {
    "mon": [["18:00", "24:00"]],
    "tue": [["00:00", "02:00"], ["18:00", "24:00"]],
    "wed": [["00:00", "02:00"], ["18:00", "24:00"]],
    "thu": [["00:00", "02:00"], ["18:00", "24:00"]],
    "fri": [["00:00", "02:00"], ["18:00", "24:00"]],
    "sat": [["00:00", "02:00"]],
    "sun": [],
}

# --- Regions per metro -----------------------------------------------------------------------------------
REGIONS = {
    "nyc": "northeast", "boston": "northeast", "philadelphia": "northeast",
    "charlotte": "south", "miami": "south", "atlanta": "south", "dallas": "south", "houston": "south",
    "chicago": "midwest", "minneapolis": "midwest", "columbus": "midwest", "kansas-city": "midwest",
    "denver": "mountain", "phoenix": "mountain", "slc": "mountain", "boise": "mountain",
    "la": "west", "sandiego": "west", "sf": "west", "seattle": "west", "portland": "west",
}

# Where technicians live: real suburb ZIPs 4–35 km from the metro's sites.
HOME_ZIPS = {
    "nyc": ["07030", "11215", "11375", "07302", "10583"],
    "boston": ["02139", "02459", "01801"],
    "philadelphia": ["19003", "08002", "19119"],
    "charlotte": ["28105", "28277"],
    "miami": ["33134", "33166", "33144"],
    "atlanta": ["30030", "30062", "30339"],
    "chicago": ["60614", "60302", "60201", "60657", "60007"],
    "dallas": ["75080", "75038", "76011", "75001"],
    "houston": ["77005", "77042", "77024"],
    "minneapolis": ["55105", "55437"],
    "denver": ["80110", "80120", "80401", "80020", "80233"],
    "phoenix": ["85016", "85282", "85224", "85210", "85308"],
    "slc": ["84106", "84047"],
    "la": ["91101", "91505", "90245", "90232"],
    "sandiego": ["92117", "91910"],
    "sf": ["94501", "94611", "94010"],
    "seattle": ["98004", "98115"],
    "portland": ["97005", "98661"],
    "columbus": ["43085"],
    "kansas-city": ["66210"],
    "boise": ["83642"],
}

# How many of the 40 Acme technicians live in each metro (tech01 first: Chicago).
ACME_TECHS_PER_METRO = [
    ("chicago", 4), ("nyc", 4), ("denver", 4), ("phoenix", 4), ("dallas", 3), ("la", 3),
    ("boston", 2), ("philadelphia", 2), ("miami", 2), ("atlanta", 2), ("houston", 2), ("sf", 2),
    ("charlotte", 1), ("minneapolis", 1), ("slc", 1), ("sandiego", 1), ("seattle", 1), ("portland", 1),
]

# --- Tenants ---------------------------------------------------------------------------------------------
# Site kinds decide hours, clearance, criticality, access notes, skill mix and ticket volume.
# (customer key, site name, street address, ZIP, metro, kind, criticality)
ACME_SITES = [
    ("retail", "Northwind #101 Chicago State St", "22 N State St", "60602", "chicago", "store", "high"),
    ("retail", "Northwind #114 Schaumburg", "5 Woodfield Mall", "60173", "chicago", "store", "normal"),
    ("retail", "Northwind #205 Dallas Galleria", "13350 Dallas Pkwy", "75240", "dallas", "store", "normal"),
    ("retail", "Northwind #231 Houston Galleria", "5085 Westheimer Rd", "77056", "houston", "store", "normal"),
    ("retail", "Northwind #302 Denver Cherry Creek", "3000 E 1st Ave", "80206", "denver", "store", "normal"),
    ("retail", "Northwind #318 Scottsdale", "7014 E Camelback Rd", "85251", "phoenix", "store", "low"),
    ("retail", "Northwind #402 Santa Monica", "395 Santa Monica Pl", "90401", "la", "store", "normal"),
    ("retail", "Northwind #415 Seattle Pine St", "1601 Pine St", "98101", "seattle", "store", "low"),
    ("retail", "Northwind #501 Atlanta Lenox", "3393 Peachtree Rd NE", "30326", "atlanta", "store", "normal"),
    ("retail", "Northwind Distribution Center Phoenix", "4400 W Buckeye Rd", "85043", "phoenix", "distribution",
     "high"),
    ("retail", "Northwind Headquarters", "500 W Madison St", "60661", "chicago", "office", "high"),
    ("bank", "First Meridian Midtown Branch", "350 Madison Ave", "10017", "nyc", "branch", "high"),
    ("bank", "First Meridian Wall Street HQ", "60 Wall St", "10005", "nyc", "bank_hq", "critical"),
    ("bank", "First Meridian Boston Federal St", "100 Federal St", "02110", "boston", "branch", "normal"),
    ("bank", "First Meridian Philadelphia Market St", "1500 Market St", "19102", "philadelphia", "branch", "normal"),
    ("bank", "First Meridian Charlotte Uptown", "214 N Tryon St", "28202", "charlotte", "branch", "normal"),
    ("bank", "First Meridian Miami Brickell", "1111 Brickell Ave", "33131", "miami", "branch", "high"),
    ("bank", "First Meridian Minneapolis Nicollet", "800 Nicollet Mall", "55402", "minneapolis", "branch", "normal"),
    ("bank", "First Meridian Salt Lake City", "201 S Main St", "84111", "slc", "branch", "low"),
    ("bank", "First Meridian San Francisco", "555 California St", "94104", "sf", "branch", "normal"),
    ("bank", "First Meridian Data Center Dallas", "2323 Bryan St", "75201", "dallas", "datacenter", "critical"),
    ("health", "Summit Medical Center Phoenix", "1111 E McDowell Rd", "85006", "phoenix", "hospital", "critical"),
    ("health", "Summit Clinic Tempe", "1255 W Rio Salado Pkwy", "85281", "phoenix", "clinic", "normal"),
    ("health", "Summit Clinic Mesa", "1400 S Dobson Rd", "85202", "phoenix", "clinic", "normal"),
    ("health", "Summit Medical Center Denver", "1719 E 19th Ave", "80218", "denver", "hospital", "critical"),
    ("health", "Summit Clinic Aurora", "1400 S Potomac St", "80012", "denver", "clinic", "normal"),
    ("health", "Summit Clinic Boulder", "4745 Arapahoe Ave", "80303", "denver", "clinic", "low"),
    ("health", "Summit Medical Offices Los Angeles", "1245 Wilshire Blvd", "90017", "la", "clinic", "high"),
    ("health", "Summit Clinic San Diego", "4060 4th Ave", "92103", "sandiego", "clinic", "normal"),
    ("health", "Summit Health Admin Portland", "1120 SW 5th Ave", "97204", "portland", "office", "normal"),
]

ACME = {
    "slug": "acme",
    "name": "Acme Field Services",
    "default_timezone": "America/Chicago",
    "customers": {
        "retail": ("Northwind Outfitters", "CUST-NWO", "northwind-outfitters.example"),
        "bank": ("First Meridian Bank", "CUST-FMB", "firstmeridian.example"),
        "health": ("Summit Health Group", "CUST-SHG", "summithealth.example"),
    },
    "sites": ACME_SITES,
    "techs_per_metro": ACME_TECHS_PER_METRO,
    "tech_username": "tech{:02d}",
    "email_domain": "acme-field.example",
    "warehouses": [
        ("Chicago Central Warehouse", "60007"),
        ("Dallas South Warehouse", "75247"),
        ("Newark East Warehouse", "07105"),
        ("Ontario West Warehouse", "91761"),
    ],
    "lockers": [
        ("Smart locker Denver Union Station", "80202"),
        ("Smart locker Phoenix Downtown", "85004"),
        ("Smart locker Atlanta Five Points", "30303"),
        ("Smart locker Seattle Pioneer Sq", "98104"),
        ("Smart locker Boston Back Bay", "02115"),
    ],
    "api_client": ("Acme ServiceNow", "servicenow"),
    "closed_tickets": 2060,
    "open_tickets": True,
}

GLOBEX = {
    "slug": "globex",
    "name": "Globex IT",
    "default_timezone": "America/New_York",
    "customers": {"corp": ("Globex Corporation", "GLX-CORP", "globex.example")},
    "sites": [
        ("corp", "Globex HQ Columbus", "200 Civic Center Dr", "43215", "columbus", "office", "high"),
        ("corp", "Globex Plant Kansas City", "1200 Main St", "64105", "kansas-city", "distribution", "high"),
        ("corp", "Globex Lab Boise", "250 S 5th St", "83702", "boise", "office", "normal"),
    ],
    "techs_per_metro": [("columbus", 1), ("kansas-city", 1), ("boise", 1)],
    # One technician per site: each covers what an in-house IT team sends to its own site.
    "tech_profiles": [["desktop", "network", "printers", "av"], ["network", "printers", "desktop", "server"],
                      ["desktop", "server", "network", "printers"]],
    "tech_username": "globex-tech{:02d}",
    "email_domain": "globex.example",
    "warehouses": [("Globex Columbus Stores", "43219")],
    "lockers": [],
    "api_client": ("Globex Jira", "jira"),
    "closed_tickets": 45,
    "open_tickets": False,
}

# --- Site kinds ------------------------------------------------------------------------------------------
SITE_KINDS = {
    # kind: (hours, clearance, ticket weight, skill mix, access notes)
    "store": (RETAIL_HOURS, "none", 1.2,
              {"pos": 45, "printers": 15, "network": 20, "desktop": 15, "av": 5},
              "Use the rear receiving door; ask the shift manager for the back-office key. Lane work before "
              "10:00 or after 19:00 unless P1. Parking in the staff lot behind the store."),
    "distribution": (OFFICE_HOURS, "none", 1.0,
                     {"network": 30, "printers": 35, "desktop": 25, "server": 10},
                     "Check in at the gatehouse; hi-vis vest and safety boots required on the warehouse floor. "
                     "IT closet is behind dock door 14."),
    "office": (OFFICE_HOURS, "none", 1.0,
               {"desktop": 35, "printers": 20, "network": 20, "av": 15, "server": 10},
               "Sign in at reception on the ground floor; visitor badge issued against photo ID. "
               "Comms room key is held by facilities (ext. 2200)."),
    "branch": (BRANCH_HOURS, "standard", 0.9,
               {"desktop": 35, "printers": 20, "network": 25, "server": 5, "av": 15},
               "Bank branch: report to the branch manager with government photo ID; escort required beyond the "
               "teller line. No work in the vault area. Visits outside opening hours only by prior arrangement."),
    "bank_hq": (OFFICE_HOURS, "enhanced", 1.0,
                {"desktop": 35, "printers": 15, "network": 25, "server": 10, "av": 15},
                "Enhanced clearance only. Security desk in lobby B; your name must be on the visitor list 24 h "
                "ahead (P1: call the security control room). Escort on trading floors at all times."),
    "datacenter": (ALWAYS_OPEN, "enhanced", 1.0, {"server": 55, "network": 45},
                   "Data centre: badge + biometric at the mantrap; ticket number must be on the access list. "
                   "Cage 4C, racks 12–18. Escort at all times; no photography."),
    "hospital": (ALWAYS_OPEN, "standard", 2.0,
                 {"desktop": 30, "network": 20, "server": 15, "printers": 20, "av": 15},
                 "Sign in at the security desk in the main lobby. Clinical areas: follow infection-control "
                 "signage and never unplug equipment tagged 'patient care'. IT office is on B1."),
    "clinic": (OFFICE_HOURS, "none", 0.8, {"desktop": 40, "printers": 30, "network": 20, "av": 10},
               "Enter by the staff entrance at the side of the building. Work in patient rooms only before "
               "08:30 or after 17:00 unless urgent."),
}

# --- Skills, certifications -------------------------------------------------------------------------------
SKILLS = [
    ("desktop", "Desktop & laptop"),
    ("network", "Network (LAN/WLAN)"),
    ("server", "Servers & storage"),
    ("pos", "Point of sale"),
    ("printers", "Printers & MFPs"),
    ("av", "Audio-visual"),
]

# Skill profiles technicians are drawn from (each gives 2–4 skills).
SKILL_PROFILES = [
    ["desktop", "printers", "pos"],
    ["desktop", "network"],
    ["network", "server", "desktop"],
    ["pos", "printers", "network"],
    ["desktop", "av", "printers"],
    ["server", "network"],
    ["desktop", "printers", "av", "network"],
    ["pos", "desktop", "printers", "av"],
]

CERTIFICATIONS = ["comptia-a+", "comptia-network+", "ccna"]

# --- People ----------------------------------------------------------------------------------------------
FIRST_NAMES = [
    "James", "Maria", "Robert", "Aisha", "Michael", "Linda", "David", "Priya", "Daniel", "Sofia", "Kevin",
    "Hannah", "Carlos", "Emily", "Andre", "Grace", "Brian", "Mei", "Jason", "Olivia", "Luis", "Rachel",
    "Tyrone", "Megan", "Anthony", "Fatima", "Eric", "Jasmine", "Steven", "Chloe", "Marcus", "Ana", "Ryan",
    "Nicole", "Jamal", "Laura", "Thomas", "Keiko", "Derek", "Rosa", "Samuel", "Tanya", "Victor", "Erin",
]
LAST_NAMES = [
    "Johnson", "Garcia", "Kim", "Patel", "Nguyen", "Williams", "Brown", "Rodriguez", "Miller", "Davis",
    "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
    "Wright", "Scott", "Torres", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Chen", "Rivera",
    "Campbell", "Mitchell", "Carter", "Roberts", "Okafor", "Schmidt", "Novak", "Yamamoto", "Singh", "Murphy",
]

# Office users: (username, role, first, last, note for the login listing, staff/superuser)
ACME_USERS = [
    ("admin", "admin", "Priya", "Raman", "admin of Acme Field Services; also Django admin /admin/", True),
    ("dispatcher", "dispatcher", "Dana", "Whitaker", "dispatcher: queue, recommendations, plans", False),
    ("vp", "viewer", "Morgan", "Ellis", "viewer: VP of IT, reports", False),
]
GLOBEX_USERS = [
    ("globex-admin", "admin", "Lena", "Ortiz", "admin of Globex IT, a separate tenant", False),
]

# --- Parts -----------------------------------------------------------------------------------------------
# (sku, name, unit cost, skills it serves)
PARTS = [
    ("SSD-512-NVME", "Samsung PM9A1 512 GB NVMe SSD", "62.00", ("desktop",)),
    ("SSD-1T-SATA", "Crucial MX500 1 TB SATA SSD", "74.00", ("desktop", "server")),
    ("RAM-16G-SODIMM", "16 GB DDR4-3200 SODIMM", "38.00", ("desktop",)),
    ("RAM-32G-RDIMM", "32 GB DDR4-3200 ECC RDIMM", "115.00", ("server",)),
    ("DRV-2T4-SAS", "Dell 2.4 TB 10k SAS hot-plug drive", "265.00", ("server",)),
    ("PSU-DELL-750W", "Dell PowerEdge 750 W hot-plug PSU", "189.00", ("server",)),
    ("PSU-ATX-500W", "500 W ATX power supply", "55.00", ("desktop",)),
    ("BAT-APC-RBC7", "APC RBC7 UPS replacement battery", "185.00", ("server",)),
    ("DOCK-DELL-WD19S", "Dell WD19S USB-C docking station", "189.00", ("desktop",)),
    ("KB-MS-COMBO", "Wired keyboard and mouse set", "24.00", ("desktop", "pos")),
    ("POS-VF-P400", "Verifone P400 payment terminal", "329.00", ("pos",)),
    ("POS-NCR-7702", "NCR 7702 POS terminal", "1180.00", ("pos",)),
    ("PRN-EPS-TM88VI", "Epson TM-T88VI receipt printer", "289.00", ("pos", "printers")),
    ("SCN-ZEB-DS2208", "Zebra DS2208 barcode scanner", "119.00", ("pos",)),
    ("PRN-ZEB-ZD421", "Zebra ZD421 label printer", "410.00", ("printers",)),
    ("TON-HP-37A", "HP 37A black toner cartridge", "168.00", ("printers",)),
    ("FUS-HP-M607", "HP LaserJet M607 fuser kit (110 V)", "239.00", ("printers",)),
    ("ROL-HP-M607", "HP LaserJet M607 roller kit", "45.00", ("printers",)),
    ("SW-C9200-24P", "Cisco Catalyst 9200 24-port PoE+ switch", "1850.00", ("network",)),
    ("SFP-10G-SR", "10GBASE-SR SFP+ transceiver", "45.00", ("network",)),
    ("SFP-1G-LX", "1000BASE-LX SFP transceiver", "29.00", ("network",)),
    ("AP-MR36", "Meraki MR36 Wi-Fi 6 access point", "520.00", ("network",)),
    ("CBL-CAT6-3M", "Cat6 patch cable 3 m (10-pack)", "18.00", ("network", "av")),
    ("LAMP-EPS-LP96", "Epson ELPLP96 projector lamp", "79.00", ("av",)),
    ("CBL-HDMI-5M", "HDMI 2.0 cable 5 m", "14.00", ("av",)),
]

# --- Job catalogue ---------------------------------------------------------------------------------------
# Per skill: (title, job type, minutes on site (min, max), parts, certifications, asset (make, model),
#             description, diagnostics, resolution code, resolution notes)
BF, INS, MAC, PM = "break_fix", "install", "move_add_change", "maintenance"
CATALOG = {
    "desktop": [
        ("Laptop will not boot - no POST", BF, (45, 90), ["RAM-16G-SODIMM"], [], ("Dell", "Latitude 5440"),
         "User's laptop shows power LED but no display and three beeps at start-up.",
         "Remote: device offline since this morning; user tried another charger.",
         "replaced_part", "Reseated and replaced the failed SODIMM; POST and Windows boot OK."),
        ("Workstation SSD failure - disk errors", BF, (60, 120), ["SSD-512-NVME"], ["comptia-a+"],
         ("HP", "EliteDesk 800 G6"),
         "Front-desk PC freezes and reports disk errors; SMART warning shown at boot.",
         "Remote: event log shows repeated disk 0 bad-block errors.",
         "replaced_part", "Replaced the NVMe SSD, re-imaged from the standard build and restored the profile."),
        ("Docking station not detecting monitors", BF, (30, 60), ["DOCK-DELL-WD19S"], [], ("Dell", "WD19S"),
         "Both external monitors stay black when the laptop is docked.",
         "Remote: dock firmware update failed; laptop displays fine without the dock.",
         "replaced_part", "Swapped the dock, updated dock firmware, both screens working."),
        ("Blue screen on reception PC after update", BF, (45, 90), [], [], ("Lenovo", "ThinkCentre M70q"),
         "Reception PC crashes with a blue screen a few minutes after logon since last night's patching.",
         "Remote: crash dump points to the NIC driver; remote rollback not possible.",
         "reconfigured", "Rolled back the network driver, pinned the version, PC stable after two hours."),
        ("New starter workstation setup", INS, (90, 180), ["KB-MS-COMBO"], [], ("Dell", "OptiPlex 7010"),
         "Set up three workstations for new starters on Monday, including monitors and peripherals.",
         "Images staged; asset tags issued.",
         "installed", "Three workstations deployed, joined to the domain and tested with the users."),
        ("Desk move: relocate workstations", MAC, (60, 150), [], [], ("Dell", "OptiPlex 7010"),
         "Move four workstations and phones from the 2nd floor to the 3rd floor project room.",
         "Floor plan attached in the ITSM ticket.",
         "moved", "Moved and reconnected four workstations; patch ports updated in the records."),
        ("Memory upgrade for finance laptops", INS, (45, 90), ["RAM-16G-SODIMM"], [], ("Dell", "Latitude 5440"),
         "Upgrade memory on the finance team's laptops before month end.",
         "Four laptops, 8 GB to 24 GB.",
         "installed", "Memory upgraded on four laptops; diagnostics passed."),
        ("Quarterly PC health check", PM, (60, 120), [], [], ("Dell", "OptiPlex 7010"),
         "Scheduled quarterly check of shared PCs: dust, cables, patch level, antivirus status.",
         "Scheduled by contract.",
         "maintenance_done", "Checked and cleaned shared PCs; two cables replaced; all patched."),
    ],
    "network": [
        ("Switch port flapping in floor 2 closet", BF, (45, 120), [], ["comptia-network+"],
         ("Cisco", "Catalyst 9200-24P"),
         "Users on floor 2 lose their connection several times an hour.",
         "Remote: Gi1/0/14-18 link up/down every few minutes; errors on the uplink.",
         "cabling_fixed", "Replaced a damaged patch lead and re-terminated the uplink; no flaps in 1 h."),
        ("Site network down - core switch unresponsive", BF, (60, 180), ["SW-C9200-24P"], ["ccna"],
         ("Cisco", "Catalyst 9200-24P"),
         "Whole site offline: no network on any floor; phones down.",
         "Remote: site unreachable from the NOC; ISP circuit up to the router.",
         "replaced_part", "Replaced the failed switch, restored config from backup, site back online."),
        ("Wi-Fi dead zone - access point offline", BF, (45, 90), ["AP-MR36"], [], ("Cisco Meraki", "MR36"),
         "No Wi-Fi in the back office and stock room.",
         "Remote: MR36 in back office offline in the dashboard for 2 days.",
         "replaced_part", "Replaced the dead access point; coverage checked with a survey app."),
        ("Uplink fibre errors - replace SFP", BF, (30, 75), ["SFP-10G-SR"], ["comptia-network+"],
         ("Cisco", "SFP-10G-SR"),
         "Slow network between the IDF and MDF; intermittent timeouts.",
         "Remote: CRC errors climbing on Te1/1/1, optics receive level low.",
         "replaced_part", "Replaced the SFP+ and cleaned the fibre; errors cleared."),
        ("Patch and label new network drops", MAC, (90, 180), ["CBL-CAT6-3M"], [], ("Panduit", "Cat6 panel"),
         "Patch twelve new data points for the new training room and label them.",
         "Port list attached.",
         "moved", "Patched and labelled twelve drops; VLANs assigned and tested."),
        ("Install replacement access switch", INS, (90, 180), ["SW-C9200-24P"], ["ccna"],
         ("Cisco", "Catalyst 9200-24P"),
         "Replace the end-of-life access switch in the comms cabinet.",
         "Config prepared by the NOC.",
         "installed", "New switch racked, config applied, all ports tested."),
        ("Network cabinet preventive maintenance", PM, (60, 120), [], [], ("APC", "NetShelter"),
         "Scheduled cabinet inspection: fans, UPS, cable management, labelling.",
         "Scheduled by contract.",
         "maintenance_done", "Cabinet cleaned, fan filter replaced, cabling tidied."),
    ],
    "server": [
        ("Server PSU failure - amber light on PSU 2", BF, (45, 90), ["PSU-DELL-750W"], [],
         ("Dell", "PowerEdge R740"),
         "Server reports power supply redundancy lost.",
         "Remote: iDRAC shows PSU 2 failed; server running on PSU 1.",
         "replaced_part", "Hot-swapped PSU 2; redundancy restored."),
        ("RAID degraded - replace failed drive", BF, (60, 120), ["DRV-2T4-SAS"], [], ("Dell", "PowerEdge R740"),
         "Storage array degraded; one drive marked failed.",
         "Remote: PERC shows disk 0:1:3 failed, rebuild pending.",
         "replaced_part", "Replaced the drive; rebuild started and completed before leaving."),
        ("Memory ECC errors on virtualisation host", BF, (60, 120), ["RAM-32G-RDIMM"], [],
         ("Dell", "PowerEdge R650"),
         "Host logging correctable memory errors; VMs migrated off.",
         "Remote: DIMM B3 correctable error threshold exceeded.",
         "replaced_part", "Replaced DIMM B3, ran memory test, host back in the cluster."),
        ("UPS battery replacement - comms room", PM, (45, 90), ["BAT-APC-RBC7"], [], ("APC", "Smart-UPS 1500"),
         "UPS self-test failed; replace the battery pack.",
         "Remote: UPS reports 'replace battery'.",
         "replaced_part", "Battery replaced; self-test passed; runtime 23 min."),
        ("Rack and cable new file server", INS, (120, 180), [], [], ("Dell", "PowerEdge R650"),
         "Rack, cable and power a new file server delivered to site.",
         "Server shipped to site; rack elevation attached.",
         "installed", "Server racked and cabled; iDRAC reachable for the remote team."),
        ("Server room quarterly health check", PM, (60, 150), [], [], ("Dell", "PowerEdge R740"),
         "Scheduled health check of the server room: temperatures, UPS, hardware logs.",
         "Scheduled by contract.",
         "maintenance_done", "Health check done; all hardware green; report attached."),
    ],
    "pos": [
        ("POS terminal frozen at lane 3", BF, (30, 75), [], [], ("NCR", "7702"),
         "Register at lane 3 freezes during transactions; cashier has to reboot it.",
         "Remote: terminal reboot clears it for an hour; disk nearly full.",
         "reconfigured", "Cleared the spool, re-imaged the POS app, ran test sales."),
        ("Card reader declining all chip cards", BF, (30, 60), ["POS-VF-P400"], [], ("Verifone", "P400"),
         "PIN pad declines every chip card; swipe works.",
         "Remote: device tamper flag set; cannot be cleared remotely.",
         "replaced_part", "Replaced the PIN pad, injected keys and ran test transactions."),
        ("Receipt printer not printing", BF, (30, 60), ["PRN-EPS-TM88VI"], [], ("Epson", "TM-T88VI"),
         "Receipt printer at the customer service desk prints nothing; error light blinking.",
         "Remote: printer offline on the POS controller; cutter error reported.",
         "replaced_part", "Cutter jammed beyond repair; replaced the printer and tested receipts."),
        ("Barcode scanner not reading at self-checkout", BF, (30, 60), ["SCN-ZEB-DS2208"], [],
         ("Zebra", "DS2208"),
         "Scanner at self-checkout 2 will not read barcodes.",
         "Remote: scanner enumerates but returns no data.",
         "replaced_part", "Replaced the scanner and re-programmed the suffix settings."),
        ("Cash drawer will not open on register 2", BF, (30, 45), [], [], ("APG", "Vasario 1616"),
         "Cash drawer does not open after sales on register 2.",
         "Remote: drawer kick command sent, no response.",
         "cabling_fixed", "Replaced the drawer kick cable; drawer opens on every sale."),
        ("Install two new checkout lanes", INS, (120, 180), ["POS-NCR-7702", "PRN-EPS-TM88VI"], [],
         ("NCR", "7702"),
         "Install two new checkout lanes ahead of the holiday season.",
         "Hardware delivered to the store.",
         "installed", "Two lanes installed, enrolled on the POS controller and tested end to end."),
        ("POS lane refresh and firmware update", PM, (60, 120), [], [], ("NCR", "7702"),
         "Scheduled firmware update and clean of all lanes before trading hours.",
         "Scheduled by contract.",
         "maintenance_done", "All lanes updated and cleaned; tested with the store manager."),
    ],
    "printers": [
        ("Printer jamming on every job", BF, (30, 75), ["ROL-HP-M607"], [], ("HP", "LaserJet M607"),
         "Shared printer jams on every print job from tray 2.",
         "Remote: jam in tray 2 reported 40 times today.",
         "replaced_part", "Replaced the pick-up rollers; 100 test pages without a jam."),
        ("Fuser error 50.2 on LaserJet", BF, (45, 90), ["FUS-HP-M607"], [], ("HP", "LaserJet M607"),
         "Printer shows 50.2 fuser error and will not print.",
         "Remote: error persists after power cycle.",
         "replaced_part", "Replaced the fuser; printer working."),
        ("Streaking output - toner fault", BF, (30, 45), ["TON-HP-37A"], [], ("HP", "LaserJet M607"),
         "Printouts have vertical streaks and faded text.",
         "Remote: toner at 4 %, drum warnings.",
         "replaced_part", "Replaced the toner, cleaned the paper path, print quality OK."),
        ("Label printer printing blank labels", BF, (30, 60), ["PRN-ZEB-ZD421"], [], ("Zebra", "ZD421"),
         "Label printer feeds labels but prints nothing.",
         "Remote: print head open sensor error.",
         "replaced_part", "Print head failed; replaced the printer and calibrated the media."),
        ("Deploy new multifunction printer", INS, (60, 120), [], [], ("HP", "Color LaserJet MFP M578"),
         "Install the new MFP on the 3rd floor and set up scan to email.",
         "Device delivered; queue created by the service desk.",
         "installed", "MFP installed, scan-to-email and secure print tested."),
        ("Printer fleet preventive maintenance", PM, (60, 150), [], [], ("HP", "LaserJet M607"),
         "Scheduled maintenance of all printers on site.",
         "Scheduled by contract.",
         "maintenance_done", "Maintenance kits fitted where due; all printers cleaned and tested."),
    ],
    "av": [
        ("Projector lamp failure in boardroom", BF, (30, 60), ["LAMP-EPS-LP96"], [], ("Epson", "PowerLite 2250U"),
         "Boardroom projector does not light up; lamp warning.",
         "Remote: n/a (not networked).",
         "replaced_part", "Replaced the lamp and reset the lamp counter."),
        ("Conference room display shows no signal", BF, (30, 75), ["CBL-HDMI-5M"], [], ("Samsung", "QM75R"),
         "Meeting room screen shows 'no signal' from the table input.",
         "Remote: display reachable; input detection fails.",
         "cabling_fixed", "Replaced the damaged HDMI run under the table; tested with three laptops."),
        ("Video conferencing camera not detected", BF, (45, 90), [], [], ("Logitech", "Rally"),
         "Teams room cannot find its camera; meetings audio only.",
         "Remote: camera missing from the device list since power cut.",
         "reconfigured", "Reset the Rally hub and updated firmware; camera detected."),
        ("Install digital signage in lobby", INS, (120, 180), ["CBL-HDMI-5M"], [], ("LG", "55UH5J"),
         "Mount and connect two signage screens in the main lobby.",
         "Brackets delivered; content player pre-configured.",
         "installed", "Two screens mounted, players connected, content playing."),
        ("Reconfigure training room AV", MAC, (60, 120), [], [], ("Crestron", "DMPS3"),
         "Move the AV rack and re-patch the training room for the new layout.",
         "New layout attached.",
         "moved", "Rack moved and re-patched; all sources tested."),
    ],
}

CANCEL_REASONS = [
    "Cancelled by the customer: resolved remotely by the service desk.",
    "Duplicate of another incident.",
    "Cancelled by the customer: equipment to be replaced under a project instead.",
    "User fixed it after a power cycle.",
]
REVISIT_REASONS = [
    "Replacement part needed; not on the van. Revisit booked.",
    "Fault intermittent; monitoring overnight and returning tomorrow.",
    "Wrong part shipped; revisit with the correct part.",
    "Customer contact unavailable; access to the comms room denied today.",
]
HOLD_REASONS = [
    "Waiting for parts (next-day delivery to the site).",
    "Waiting for the customer to confirm an access window.",
    "Waiting for the vendor's RMA approval.",
]
