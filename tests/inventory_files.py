"""Inventory files shared by the ingest, service, CLI and GUI tests."""

from __future__ import annotations

from pathlib import Path

#: A sign-off block at the top whose words look like headers, and the real headers at row 40,
#: below where the importer looks for them.
SIGN_OFF_REGISTER = [
    ["Owner", "Name", "Status"],
    ["Risk team", "AI register", "Draft"],
    *([[]] * 37),
    ["System ID", "Name", "Owner email", "Autonomy"],
    ["AIS-1", "Claims bot", "ann@example.com", "advisory"],
    ["AIS-2", "Copilot", "bob@example.com", "autonomous"],
]
#: Identities under a title row.
TITLED_IDENTITIES = [
    ["Identities of the AI systems"],
    ["Identity ID", "Kind", "Owner email"],
    ["svc-1", "service-account", "ann@example.com"],
]


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write a real workbook with one sheet per entry, rows as given."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


#: A bank's AI register as exported from its CMDB and filled in from a risk survey: a merged
#: title row, an export note, headers on row 4, a blank row inside the data, a row without a
#: reference, a duplicate row, survey-style and unknown values, owners as names, and two
#: footer lines.
BANK_SYSTEMS = [
    ["Northbridge Bank – AI use case register"],
    ["Exported from ServiceNow CMDB on 2026-10-01 by the Risk team; do not edit"],
    [],
    ["Ref", "AI System / Use case", "Business Unit", "Owner", "Vendor", "Lifecycle",
     "Environment", "Autonomy", "Data classification", "Exposure", "Risk designation",
     "Service accounts"],
    ["AI-001", "Credit memo assistant", "Retail Credit", "Tom Reed <tom.reed@northbridge.test>",
     "Microsoft", "a) Pre-deployment – The use case is in development", "Prod", "Advisory only",
     "Highly Confidential", "Internal", "high-impact", "svc-credit"],
    ["AI-002", "Fraud triage agent", "Fraud Ops", "Priya Shah", "In-house", "Live", "prd",
     "Fully autonomous", "PCI", "Internal Use Only", "Tier 1", ""],
    ["AI-003", "Server restart agent", "IT Ops", "ops.lead@northbridge.test", "Anthropic",
     "Deployed", "Production", "Agentic", "Internal Use Only", "Internal", "critical", ""],
    [],
    ["AI-004", "Customer chatbot", "Digital", "Ann Lee", "Vendor X", "Pilot", "UAT", "HITL",
     "PII", "Customer facing", "material model", ""],
    ["", "Underwriting summariser", "Commercial", "Tom Reed", "Microsoft", "Pre-deployment",
     "n/a", "Decision support", "Unknown", "Internal", "3 - High", ""],
    ["AI-005", "Document classifier", "Operations", "Unknown", "In-house", "TBC", "-",
     "Sometimes", "?", "Internal", "Low", ""],
    ["AI-005", "Document classifier", "Operations", "Unknown", "In-house", "TBC", "-",
     "Sometimes", "?", "Internal", "Low", ""],
    ["AI-006", "HR knowledge search", "HR", "Ann Lee <ann.lee@northbridge.test>", "Vendor Y",
     "In production", "Production", "HOTL", "Special category", "Internal", "", ""],
    ["Total systems: 30 (31 rows incl. duplicate)"],
    ["Source: ServiceNow CMDB + Risk team survey"],
]  # fmt: skip
#: Its identities sheet: a title row, headers on row 3 ("Account / Key" is the id), names in
#: "Used by", a shared account on two rows, free-text permissions and a footer.
BANK_IDENTITIES = [
    ["Service accounts and API keys used by AI systems"],
    [],
    ["Account / Key", "Type", "Owner", "Used by", "Environment", "Created", "Last used",
     "Last rotated", "Expires", "Permissions", "Notes"],
    ["svc-credit", "svc acct", "Tom Reed <tom.reed@northbridge.test>", "AI-001", "Prod",
     "2024-01-10", "2026-09-30", "2025-01-01", "n/a",
     "Storage Blob Data Reader on uw-docs; Key Vault Secrets User", ""],
    ["svc-fraud", "Integration user", "Priya Shah", "Fraud triage agent", "prd", "2023-05-01",
     "2026-09-28", "", "Never", "admin", "legacy"],
    ["iam-ops-restart", "IAM user", "ops.lead@northbridge.test",
     "server restart agent; Customer Chatbot", "Production", "2022-11-02", "2026-09-30",
     "2023-01-15", "", "AdministratorAccess attached (!)", "shared"],
    ["key-chat", "API key", "Ann Lee", "AI-004", "UAT", "2025-06-01", "", "", "2026-12-31",
     "write; magic powers", ""],
    ["svc-shared", "Service Principal", "Ann Lee", "AI-003", "Production", "2024-02-02", "",
     "", "", "Reader, Contributor on crm-db", ""],
    ["svc-shared", "Service Principal", "Ann Lee", "AI-006", "Staging", "2024-02-02", "", "",
     "", "Reader", ""],
    [],
    ["Prepared by: Risk team, October 2026"],
]  # fmt: skip
#: The hidden drop-down lists every register has.
BANK_LOOKUPS = [
    ["Autonomy", "Data classification", "Environment"],
    ["Advisory only", "Internal Use Only", "Prod"],
    ["HITL", "Confidential", "UAT"],
    ["Fully autonomous", "Highly Confidential", "Dev"],
]
#: What the bank register holds once read, for the tests' expectations.
BANK_SYSTEM_COUNT = 7  # AI-001..AI-006 and the row without a reference (a generated id)
BANK_IDENTITY_COUNT = 5
BANK_LINKS = {
    ("AI-001", "svc-credit"), ("AI-002", "svc-fraud"), ("AI-003", "iam-ops-restart"),
    ("AI-004", "iam-ops-restart"), ("AI-004", "key-chat"), ("AI-003", "svc-shared"),
    ("AI-006", "svc-shared"),
}  # fmt: skip


def write_bank_register(path: Path) -> Path:
    """Write the messy bank register: systems, identities and a hidden lookup sheet."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in (("AI Register", BANK_SYSTEMS), ("Svc Accts & API keys", BANK_IDENTITIES),
                        ("Lookups", BANK_LOOKUPS)):  # fmt: skip
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book["AI Register"].merge_cells("A1:L1")
    book["Lookups"].sheet_state = "hidden"
    book.save(path)
    return path
