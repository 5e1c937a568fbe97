"""``nixa federation``: NIXA's trust anchor and intermediates, their subordinates and trust marks
(OpenID Federation 1.0). Every command takes ``--json``; errors go to stderr with exit 1."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    help="OpenID Federation: trust anchor, intermediates, subordinates, trust marks.", no_args_is_help=True
)
intermediate_app = typer.Typer(help="Intermediates NIXA runs (ministries, provinces).", no_args_is_help=True)
trust_mark_app = typer.Typer(help="Trust marks issued by NIXA's trust anchor.", no_args_is_help=True)
app.add_typer(intermediate_app, name="intermediate")
app.add_typer(trust_mark_app, name="trust-mark")
keys_app = typer.Typer(help="Federation keys of NIXA's entities.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
SuperiorOpt = Annotated[str, typer.Option(help="ta, or the slug of an intermediate NIXA runs.")]
JsonArg = Annotated[str | None, typer.Option(help="JSON, or @file with JSON.")]


def _cli() -> Any:
    from nixa import cli  # the shared helpers; imported late, since nixa.cli registers this module

    return cli


def _federation() -> Any:
    from federation.openid_federation.config import FederationSettings
    from federation.openid_federation.extension import NixaFederation

    return NixaFederation(_cli().platform(), FederationSettings())


def _json(value: str | None, what: str) -> Any:
    if value is None:
        return None
    text = Path(value[1:]).read_text(encoding="utf-8") if value.startswith("@") else value
    try:
        return json.loads(text)
    except ValueError:
        _cli().fail(f"{what} is not valid JSON")


def _run(action: Any) -> Any:
    from idp.errors import OAuthError

    try:
        return action()
    except OAuthError as exc:
        _cli().fail(exc.description or exc.error)


@intermediate_app.command("create")
def intermediate_create(
    slug: Annotated[str, typer.Option(help="e.g. bo-tai-chinh or da-nang; part of the entity ID.")],
    name: Annotated[str, typer.Option(help="The organisation, e.g. Bộ Tài chính.")],
    superior: SuperiorOpt = "ta",
    metadata_policy: JsonArg = None,
    constraints: JsonArg = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an intermediate with its own federation key; its superior vouches for it."""
    fed = _federation()
    entity_id = _run(
        lambda: fed.service.create_intermediate(
            slug=slug,
            name=name,
            actor="cli",
            superior=superior,
            metadata_policy=_json(metadata_policy, "metadata policy"),
            constraints=_json(constraints, "constraints"),
        )
    )
    _cli().out({"entity_id": entity_id}, as_json, f"intermediate: {entity_id}")


@app.command("enrol")
def enrol(
    superior: SuperiorOpt,
    entity_id: Annotated[str, typer.Option(help="The subordinate's entity ID (https URL).")],
    jwks: Annotated[str, typer.Option(help="Its federation public keys: JWKS JSON or @file.")],
    name: Annotated[str, typer.Option()] = "",
    entity_type: Annotated[list[str] | None, typer.Option(help="Repeat: openid_relying_party, ...")] = None,
    intermediate: Annotated[bool, typer.Option(help="The subordinate is an intermediate.")] = False,
    metadata_policy: JsonArg = None,
    metadata: JsonArg = None,
    constraints: JsonArg = None,
    as_json: JsonOpt = False,
) -> None:
    """Enrol a subordinate (or update its enrolment): the superior's fetch endpoint vouches for it."""
    fed = _federation()
    _run(
        lambda: fed.service.enrol(
            superior=superior,
            entity_id=entity_id,
            jwks=_json(jwks, "jwks"),
            actor="cli",
            name=name,
            entity_types=entity_type or (["federation_entity"] if intermediate else None),
            intermediate=intermediate,
            metadata_policy=_json(metadata_policy, "metadata policy"),
            metadata=_json(metadata, "metadata"),
            constraints=_json(constraints, "constraints"),
        )
    )
    _cli().out(
        {"superior": superior, "entity_id": entity_id}, as_json, f"enrolled {entity_id} under {superior}"
    )


@app.command("remove")
def remove(
    superior: SuperiorOpt, entity_id: Annotated[str, typer.Option()], as_json: JsonOpt = False
) -> None:
    """Remove a subordinate: the superior stops vouching for it; portals below it are re-checked."""
    fed = _federation()
    if not _run(lambda: fed.service.remove_subordinate(superior=superior, entity_id=entity_id, actor="cli")):
        _cli().fail(f"{entity_id} is not a subordinate of {superior}")
    _cli().out({"removed": entity_id}, as_json, f"removed {entity_id}")


@trust_mark_app.command("issue")
def trust_mark_issue(
    sub: Annotated[str, typer.Option(help="The entity ID the mark is for.")],
    trust_mark_type: Annotated[
        str | None, typer.Option("--type", help="Default: the anchor's portal mark.")
    ] = None,
    ttl: Annotated[int | None, typer.Option(help="Seconds it stays valid.", min=60)] = None,
    as_json: JsonOpt = False,
) -> None:
    """Issue a trust mark; the subject publishes it in its entity configuration."""
    fed = _federation()
    mark_type = trust_mark_type or fed.entities.trust_anchor_id + "/trust-marks/portal"
    view = _run(
        lambda: fed.service.issue_trust_mark(subject=sub, trust_mark_type=mark_type, actor="cli", ttl=ttl)
    )
    token = fed.service.trust_mark_token(view.id)
    _cli().out(
        {"id": view.id, "trust_mark_type": mark_type, "trust_mark": token, "expires_at": view.expires_at},
        as_json,
        f"trust mark {view.id} ({mark_type}) for {sub}, valid until {view.expires_at:%Y-%m-%d}:\n{token}",
    )


@trust_mark_app.command("revoke")
def trust_mark_revoke(mark_id: str, as_json: JsonOpt = False) -> None:
    """Revoke a trust mark: its status endpoint answers revoked from now on."""
    if not _federation().service.revoke_trust_mark(mark_id, actor="cli"):
        _cli().fail(f"no active trust mark {mark_id}")
    _cli().out({"revoked": mark_id}, as_json, f"revoked {mark_id}")


@app.command("list")
def list_federation(as_json: JsonOpt = False) -> None:
    """Anchors, intermediates, leaves and trust marks."""
    overview = _federation().service.overview()
    data = asdict(overview)
    lines = [f"trust anchor  {e.entity_id}" for e in overview.trust_anchors]
    lines += [f"intermediate  {e.entity_id}  ({e.name}, under {e.superior})" for e in overview.intermediates]
    lines += [f"leaf          {x.entity_id}  (under {x.superior})" for x in overview.leaves]
    lines += [
        f"trust mark    {m.id}  {m.status}  {m.trust_mark_type} -> {m.subject}" for m in overview.trust_marks
    ]
    _cli().out(data, as_json, "\n".join(lines))


@keys_app.command("rotate")
def keys_rotate(
    entity: Annotated[str, typer.Argument(help="ta, op, or the slug of an intermediate.")],
    as_json: JsonOpt = False,
) -> None:
    """Rotate an entity's federation key: next becomes current, current stays published until it expires."""
    fed = _federation()
    kid = _run(lambda: fed.service.rotate_keys(entity, actor="cli"))
    _cli().out({"entity": entity, "current": kid}, as_json, f"{entity}: signing with {kid}")
