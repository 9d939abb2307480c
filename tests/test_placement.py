"""Each document kind is read only from its own place (SPEC §7).

The attacker is the requester with push access to their branch: they cannot add an approver by
putting a People document among the requests, a budget among the vendors, a policy or a policy set
outside policies/, nor an approval or a waiver in another record's folder. Each such document is
not loaded, and the gate blocks with an error naming the file and where the kind belongs, in a
full check and in a pull-request check alike. The repositories are real git repositories.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from spendgate.documents.config import Paths
from spendgate.documents.discovery import HOMES, belongs
from spendgate.documents.kinds import KINDS
from tests import test_pull_requests
from tests.conftest import Cli
from tests.test_approvals import digest_of, git
from tests.test_pull_requests import AS_OF

main_repo = test_pull_requests.main_repo

ROGUE = "Rob Rogue <rogue@evil.example>"
DIRECTOR = "Dora Director <director@test.example>"
MANAGER = "Max Manager <manager@test.example>"
PROCUREMENT = "Paula Procurement <proc@test.example>"
MODES = pytest.mark.parametrize("mode", [(), ("--base", "main")], ids=["full", "pull-request"])

REQUEST = """\
apiVersion: spendgate/v1
kind: PurchaseRequest
id: {id}
title: Analytics platform
requester: requester
department: it
cost_centre: {cost_centre}
vendor: acme
submitted: 2026-11-10
justification: Analytics for the operations team.
line_items:
  - description: Platform subscription
    category: saas_subscription
    quantity: 1
    unit_price: {price}
    currency: EUR
    term_months: {term}
    billing: annual
"""
ROGUE_PEOPLE = """\
apiVersion: spendgate/v1
kind: People
people:
  - {id: rogue, name: Rob Rogue, email: rogue@evil.example, roles: [cfo], departments: [finance]}
"""
PEOPLE_MISPLACED = (
    "requests/team.yaml:2:7: [error] $.kind: a People document belongs in org/people.yaml; "
    "documents of this kind are read only from there, so this one is not loaded "
    "(misplaced-document)\n"
)


def request(
    request_id: str, *, price: int = 400000, term: int = 12, cost_centre: str = "it-ops"
) -> str:
    return REQUEST.format(id=request_id, price=price, term=term, cost_centre=cost_centre)


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def commit(root: Path, message: str, *, author: str = ROGUE) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, author=author)


def approval(request_id: str, *, approver: str, role: str, digest: str) -> str:
    return (
        f"apiVersion: spendgate/v1\nkind: Approval\nrequest: {request_id}\napprover: {approver}\n"
        f"role: {role}\ndecision: approve\ndate: 2026-11-12\ndigest_version: 2\n"
        f"request_digest: {digest}\n"
    )


def run(cli: Cli, root: Path, *options: str) -> tuple[int, str]:
    outcome = cli("check", root, "--as-of", AS_OF, *options)
    assert outcome.stderr == ""
    return outcome.exit_code, outcome.stdout


def report(cli: Cli, root: Path, *options: str) -> tuple[int, dict[str, Any]]:
    code, out = run(cli, root, "--format", "json", *options)
    found: dict[str, Any] = json.loads(out)
    return code, found


def step(report: dict[str, Any], request_id: str, role: str) -> dict[str, Any]:
    (decision,) = (d for d in report["decisions"] if d["request_id"] == request_id)
    (found,) = (s for s in decision["route"] if s["role"] == role)
    return dict(found)


def misplaced(file: str, message: str) -> dict[str, Any]:
    """The JSON problem of a refused document whose `kind:` is on line 2."""
    return {
        "code": "misplaced-document",
        "level": "error",
        "location": {"column": 7, "file": file, "line": 2, "yaml_path": "$.kind"},
        "message": message,
        "related": [],
        "severity": "document",
    }


@pytest.fixture
def governance(main_repo: Path) -> Path:
    """main_repo with approval stages in any order (one approval fills its step at once) and a
    request of 400,000 EUR that needs the CFO, both on main; branch `attack` checked out."""
    policy_set = main_repo / "policies" / "policy-set.yaml"
    policy_set.write_text(policy_set.read_text().replace("spec:\n", "spec:\n  stages: parallel\n"))
    write(main_repo, "requests/pr-mid.yaml", request("PR-MID"))
    commit(main_repo, "parallel approval stages; a request that needs the CFO", author=DIRECTOR)
    git(main_repo, "checkout", "-q", "main")
    git(main_repo, "merge", "-q", "--ff-only", "feature")
    git(main_repo, "checkout", "-q", "-b", "attack")
    return main_repo


def on_main(root: Path, relative: str, text: str) -> None:
    """Write and commit `relative` on main, then bring the (still empty) attack branch along."""
    git(root, "checkout", "-q", "main")
    write(root, relative, text)
    commit(root, f"change {relative}", author=DIRECTOR)
    git(root, "checkout", "-q", "attack")
    git(root, "merge", "-q", "--ff-only", "main")


def test_every_kind_has_exactly_one_home() -> None:
    assert set(HOMES) == set(KINDS)


@pytest.mark.parametrize(
    ("kind", "file", "paths", "expected"),
    [
        ("Config", "spendgate.yaml", Paths(), True),
        ("Config", "requests/spendgate.yaml", Paths(), False),
        ("People", "org/people.yaml", Paths(), True),
        ("People", "org/people-extra.yaml", Paths(), False),
        ("People", "requests/team.yaml", Paths(), False),
        ("PurchaseRequest", "requests/2026/q4/pr-1.yaml", Paths(), True),
        ("PurchaseRequest", "requests-old/pr-1.yaml", Paths(), False),
        ("ChangeApproval", "approvals/governance/esg.yaml", Paths(), True),
        ("Policy", "policies/esg.yaml", Paths(), True),
        ("PolicySet", "policies/tests/base/set.yaml", Paths(), False),
        ("PolicySet", "policies/more/tests/set.yaml", Paths(), True),
        ("Vendor", "purchases/acme.yaml", Paths(vendors="./purchases/"), True),
        ("Vendor", "vendors/acme.yaml", Paths(vendors="./purchases/"), False),
        ("PriceBenchmarks", "benchmarks.yaml", Paths(benchmarks="benchmarks.yaml"), True),
    ],
)
def test_a_kind_belongs_only_under_its_configured_path(
    kind: str, file: str, paths: Paths, expected: bool
) -> None:
    assert belongs(kind, file, paths) is expected


@MODES
def test_a_person_among_the_requests_does_not_approve(
    cli: Cli, governance: Path, mode: tuple[str, ...]
) -> None:
    # The rogue commits as the person they invented, so that authenticity (author-match) would
    # have accepted the approval: only the People document's place keeps it from counting.
    write(governance, "requests/team.yaml", ROGUE_PEOPLE)
    digest = digest_of(governance, "PR-MID")
    write(
        governance,
        "approvals/pr-mid-cfo.yaml",
        approval("PR-MID", approver="rogue", role="cfo", digest=digest),
    )
    commit(governance, "a CFO of my own, and their approval")

    code, out = run(cli, governance, *mode)
    json_code, found = report(cli, governance, *mode)

    assert (code, json_code) == (1, 1)
    assert "    stage 4 cfo (DR-040): [ ] waiting; may approve: cfo\n" in out
    assert PEOPLE_MISPLACED in out
    cfo = step(found, "PR-MID", "cfo")
    assert (cfo["satisfied"], cfo["approved_by"], cfo["eligible"]) == (False, None, ["cfo"])
    assert (
        misplaced(
            "requests/team.yaml",
            "a People document belongs in org/people.yaml; documents of this kind are read only "
            "from there, so this one is not loaded",
        )
        in found["problems"]
    )


def test_a_person_added_to_spendgate_yaml_does_not_approve(cli: Cli, governance: Path) -> None:
    config = governance / "spendgate.yaml"
    config.write_text(config.read_text() + "---\n" + ROGUE_PEOPLE)
    digest = digest_of(governance, "PR-MID")
    write(
        governance,
        "approvals/pr-mid-cfo.yaml",
        approval("PR-MID", approver="rogue", role="cfo", digest=digest),
    )
    commit(governance, "a CFO in the configuration file")

    code, found = report(cli, governance)

    assert code == 1
    assert step(found, "PR-MID", "cfo")["satisfied"] is False
    problem = next(p for p in found["problems"] if p["code"] == "misplaced-document")
    assert (problem["location"]["file"], problem["message"]) == (
        "spendgate.yaml",
        "a People document belongs in org/people.yaml; documents of this kind are read only "
        "from there, so this one is not loaded",
    )


def test_a_budget_among_the_vendors_is_not_loaded(cli: Cli, governance: Path) -> None:
    write(
        governance,
        "vendors/budgets.yaml",
        "apiVersion: spendgate/v1\nkind: Budgets\nbudgets:\n"
        "  - {cost_centre: skunkworks, fiscal_year: 2026, owner: manager, amount: 5000000, "
        "currency: EUR}\n",
    )
    write(governance, "requests/pr-skunk.yaml", request("PR-SKUNK", cost_centre="skunkworks"))
    commit(governance, "a budget of my own")

    code, out = run(cli, governance)

    assert code == 1
    assert (
        "PR-SKUNK [invalid] Analytics platform\n"
        "  requests/pr-skunk.yaml: 0.00 EUR, none\n"
        "  requests/pr-skunk.yaml:7:14: [error] $.cost_centre: cost centre 'skunkworks' has no "
        "budget (dangling-reference)\n"
    ) in out
    assert (
        "vendors/budgets.yaml:2:7: [error] $.kind: a Budgets document belongs in "
        "org/budgets.yaml; documents of this kind are read only from there, so this one is not "
        "loaded (misplaced-document)\n"
    ) in out


def test_a_policy_among_the_requests_does_not_take_over_a_rule(cli: Cli, governance: Path) -> None:
    # The rogue policy claims VR-030 (contract cover, soft) for the `requester` role, so that a
    # waiver by any requester's colleague would lift it; procurement owns it.
    write(
        governance,
        "requests/relief.yaml",
        "apiVersion: spendgate/v1\nkind: Policy\nmetadata:\n  name: contract-relief\n"
        "  version: 1.0.0\n  owner: requester\n  description: Mine.\nspec:\n"
        "  applies_to: PurchaseRequest\n  enforcement: soft\n  rules:\n"
        "    - {id: VR-030, title: Contract cover, assert: 1 == 1}\n",
    )
    write(governance, "requests/pr-long.yaml", request("PR-LONG", price=1000, term=120))
    commit(governance, "a ten-year subscription, and a policy of my own")
    write(
        governance,
        "waivers/wv-long.yaml",
        "apiVersion: spendgate/v1\nkind: Waiver\nid: WV-LONG\nrules: [VR-030]\n"
        "applies_to: [PR-LONG]\njustification: We will extend the contract.\n"
        "approved_by: manager\ngranted: 2026-11-15\nexpires: 2027-11-15\n",
    )
    commit(governance, "a colleague waives the contract rule", author=MANAGER)

    code, out = run(cli, governance)

    assert code == 1
    assert out.startswith("PR-LONG [blocked]")
    assert (
        "  waivers/wv-long.yaml:3:5: [warning] $.id: waiver WV-LONG lifts nothing: manager does "
        "not hold procurement, which owns vendor-risk (WAIVER)\n"
    ) in out
    assert (
        "requests/relief.yaml:2:7: [error] $.kind: a Policy document belongs in policies/; "
        "documents of this kind are read only from there, so this one is not loaded "
        "(misplaced-document)\n"
    ) in out


@MODES
def test_a_policy_set_outside_policies_does_not_replace_the_real_one(
    cli: Cli, governance: Path, mode: tuple[str, ...]
) -> None:
    write(
        governance,
        "ai/set.yaml",
        "apiVersion: spendgate/v1\nkind: PolicySet\nmetadata:\n  name: relaxed\n"
        "  version: 9.0.0\n  owner: requester\nspec:\n  effective_from: 2026-01-01\n"
        "  policies: [classification]\n",
    )
    write(governance, "requests/pr-next.yaml", request("PR-NEXT"))
    commit(governance, "a policy set without decision rights")

    code, found = report(cli, governance, *mode)

    assert code == 1
    assert found["policy_set"] == {"name": "spendgate-reference", "version": "1.1.0"}
    assert step(found, "PR-NEXT", "cfo")["rule_id"] == "DR-040"
    assert (
        misplaced(
            "ai/set.yaml",
            "a PolicySet document belongs in policies/; documents of this kind are read only from "
            "there, so this one is not loaded",
        )
        in found["problems"]
    )


def test_an_approval_among_the_waivers_is_not_used(cli: Cli, main_repo: Path) -> None:
    write(
        main_repo,
        "waivers/ok.yaml",
        approval("PR-TEST", approver="director", role="budget_owner", digest=digest_of(main_repo)),
    )
    commit(main_repo, "approve", author=DIRECTOR)

    code, out = run(cli, main_repo)

    assert code == 1
    assert out.startswith(
        "PR-TEST [pending] Keyboards for the team\n"
        "  requests/pr-test.yaml: 600.00 EUR, opex\n"
        "  route:\n"
        "    stage 1 budget_owner (DR-005): [ ] waiting; may approve: director\n"
    )
    assert (
        "waivers/ok.yaml:2:7: [error] $.kind: an Approval document belongs in approvals/; "
        "documents of this kind are read only from there, so this one is not loaded "
        "(misplaced-document)\n"
    ) in out


@MODES
def test_a_waiver_among_the_requests_lifts_nothing(
    cli: Cli, governance: Path, mode: tuple[str, ...]
) -> None:
    # Without authenticity, only its place keeps this waiver by the rule's owner from counting.
    config = (governance / "spendgate.yaml").read_text()
    on_main(governance, "spendgate.yaml", config + "approvals: {require_authenticity: false}\n")
    write(governance, "requests/pr-long.yaml", request("PR-LONG", price=1000, term=120))
    write(
        governance,
        "requests/wv-long.yaml",
        "apiVersion: spendgate/v1\nkind: Waiver\nid: WV-LONG\nrules: [VR-030]\n"
        "applies_to: [PR-LONG]\njustification: We will extend the contract.\n"
        "approved_by: procurement\ngranted: 2026-11-15\nexpires: 2027-11-15\n",
    )
    commit(governance, "a ten-year subscription, and its waiver", author=PROCUREMENT)

    code, out = run(cli, governance, *mode)

    assert code == 1
    assert "PR-LONG [blocked]" in out
    assert "WV-LONG" not in out.replace("requests/wv-long.yaml", "")
    assert (
        "requests/wv-long.yaml:2:7: [error] $.kind: a Waiver document belongs in waivers/; "
        "documents of this kind are read only from there, so this one is not loaded "
        "(misplaced-document)\n"
    ) in out


@MODES
def test_a_request_among_the_vendors_is_reported_not_lost(
    cli: Cli, main_repo: Path, mode: tuple[str, ...]
) -> None:
    write(main_repo, "vendors/pr-hidden.yaml", request("PR-HIDDEN"))
    commit(main_repo, "a request where nobody looks")

    code, out = run(cli, main_repo, *mode)

    assert code == 1
    assert (
        "? [invalid] (does not load)\n"
        "  vendors/pr-hidden.yaml: 0.00 EUR, none\n"
        "  vendors/pr-hidden.yaml:2:7: [error] $.kind: a PurchaseRequest document belongs in "
        "requests/; documents of this kind are read only from there, so this one is not loaded "
        "(misplaced-document)\n"
    ) in out


def test_a_person_beside_a_withdrawn_request_is_still_reported(cli: Cli, main_repo: Path) -> None:
    # A withdrawn request is not decided, so its file's problems are not any decision's.
    path = main_repo / "requests" / "pr-test.yaml"
    path.write_text(path.read_text() + "status: withdrawn\n---\n" + ROGUE_PEOPLE)
    commit(main_repo, "withdraw, and hide a CFO beside it")

    outcome = cli("check", main_repo, "--as-of", AS_OF)

    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (
        1,
        "requests/pr-test.yaml:22:7: [error] $.kind: a People document belongs in "
        "org/people.yaml; documents of this kind are read only from there, so this one is not "
        "loaded (misplaced-document)\n",
        "",
    )


def test_a_config_outside_spendgate_yaml_is_refused(cli: Cli, main_repo: Path) -> None:
    config = (main_repo / "spendgate.yaml").read_text()
    write(main_repo, "requests/spendgate.yaml", config.replace("Testbank AG", "Rogue AG"))

    outcome = cli("validate", main_repo)

    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (
        1,
        "requests/spendgate.yaml:3:7: [error] $.kind: a Config document belongs in "
        "spendgate.yaml; documents of this kind are read only from there, so this one is not "
        "loaded (misplaced-document)\n"
        "invalid: 1 error, 0 warnings in 20 documents in 20 files\n",
        "",
    )


def test_a_request_misplaced_in_the_base_does_not_eat_the_budget(cli: Cli, main_repo: Path) -> None:
    # On main, a submitted request of 9,999,900 EUR lies among the approvals: it is no request,
    # so the cost centre's 10,000,000 still has room for a request of 400,000 without the CFO's
    # budget approval (DR-080), in a full check and in a pull-request check alike.
    write(main_repo, "approvals/pr-shadow.yaml", request("PR-SHADOW", price=9999900))
    commit(main_repo, "a request where nobody looks", author=DIRECTOR)
    git(main_repo, "checkout", "-q", "main")
    git(main_repo, "merge", "-q", "--ff-only", "feature")
    git(main_repo, "checkout", "-q", "-b", "next")
    write(main_repo, "requests/pr-next.yaml", request("PR-NEXT"))
    commit(main_repo, "a request")

    _, pull_request = report(cli, main_repo, "--base", "main")
    _, full = report(cli, main_repo)

    (decided,) = pull_request["decisions"]
    assert decided["request_id"] == "PR-NEXT"
    assert step(pull_request, "PR-NEXT", "cfo")["rule_id"] == "DR-040"  # not "DR-040, DR-080"
    assert decided == next(d for d in full["decisions"] if d["request_id"] == "PR-NEXT")
