"""Small, realistic evidence documents of the demo client (text and CSV, made up)."""

from __future__ import annotations

import datetime as dt

from app.services.demo.inventory_data import CLIENT


def evidence_documents(today: dt.date) -> dict[str, tuple[str, bytes]]:
    """Return ``{file name: (description, bytes)}`` for the demo's evidence files."""
    stamp = today.isoformat()
    docs: dict[str, tuple[str, str | bytes]] = {
        "ai-acceptable-use-policy-v3.md": (
            "AI acceptable use policy approved by the risk committee",
            f"# AI acceptable use policy (v3)\n\n{CLIENT}\nApproved {stamp} by the Risk "
            "Committee.\n\n1. Every AI system has a named business owner.\n2. Agents act only "
            "through identities registered in the IAM inventory.\n3. Production credentials "
            "are rotated at least every 90 days.\n",
        ),
        "ai-system-register-export.csv": (
            "Export of the AI system register with owners",
            b"id,name,owner\nAIS-001,Claims triage agent,maria.okafor\n"
            b"AIS-025,Release deployment agent,oscar.lind\n",
        ),
        "service-account-access-review-q3.md": (
            "Minutes of the quarterly access review of service accounts",
            "# Access review Q3\n\nReviewed 41 service accounts; 6 revoked; 3 owners "
            "reassigned. Open action: shared integration account to be split.\n",
        ),
        "key-rotation-runbook.md": (
            "Runbook for rotating API keys and service account secrets",
            "# Key rotation runbook\n\nRotate via the secrets vault; update the agent's "
            "configuration; verify the old key is revoked within 24 hours.\n",
        ),
        "red-team-summary-claims-agent.md": (
            "Summary of the prompt-injection red-team exercise on the claims triage agent",
            "# Red team summary\n\n14 injection scenarios tested; 2 succeeded through e-mail "
            "attachments; mitigations: attachment sanitiser and approval step for payouts.\n",
        ),
        "model-card-claims-triage.md": (
            "Model card of the claims triage agent",
            "# Model card: claims triage agent\n\nPurpose, limits, evaluation data, known "
            "failure modes, human oversight points.\n",
        ),
        "siem-detection-rules-ai.csv": (
            "SIEM detection rules covering AI agent identities",
            b"rule,trigger\nagent-unusual-scope,scope request outside baseline\n"
            b"agent-after-hours,agent token used outside schedule\n",
        ),
        "incident-response-plan-ai-annex.md": (
            "AI annex of the incident response plan",
            "# IR plan: AI annex\n\nKill switch per agent; credential revocation order; "
            "who decides to pause an autonomous agent.\n",
        ),
        "supplier-assessment-llm-providers.md": (
            "Due diligence of the LLM providers",
            "# Supplier assessment\n\nData residency, retention, sub-processors and incident "
            "notification terms of each model provider.\n",
        ),
        "deployment-pipeline-approvals.csv": (
            "Export of deployment approvals for the release agent",
            b"change,approved_by,approved_at\nCHG-1182,oscar.lind,2026-10-02\n",
        ),
    }
    return {
        name: (description, text.encode("utf-8") if isinstance(text, str) else text)
        for name, (description, text) in docs.items()
    }
