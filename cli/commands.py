"""The chainplan command: migrate, seed, demo data, users, backup and restore, serve."""

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session, select

from core import backup, collector, migrate
from core.accounts import ROLE_LABELS, Role, create_user, get_or_create_team
from core.db import china_today, make_engine, refresh_statistics, require_id, transaction
from core.errors import DomainError
from core.settings import get_settings


def _session_scope(func: Callable[[Session, argparse.Namespace], None]) -> Callable[..., None]:
    def run(args: argparse.Namespace) -> None:
        with transaction(make_engine(get_settings().database_url)) as session:
            session.info["source"] = "cli"
            func(session, args)

    return run


def cmd_migrate(args: argparse.Namespace) -> None:
    """Upgrade the database schema to the newest migration."""
    migrate.upgrade()
    print("数据库结构已更新到最新版本")


@_session_scope
def cmd_seed(session: Session, args: argparse.Namespace) -> None:
    from seeds.load import load_all

    load_all(session=session)
    print("已载入十大产业链、园区、责任单位和产业地标")


@_session_scope
def cmd_lapse(session: Session, args: argparse.Namespace) -> None:

    from enterprises.cultivation.pipeline import lapse_expired

    print(f"已记录到期认定 {lapse_expired(session=session, today=china_today())} 条")
    refresh_statistics(session)  # daily, as the data grows


@_session_scope
def cmd_demo(session: Session, args: argparse.Namespace) -> None:
    from seeds import (
        demo,
        demo_cultivation,
        demo_leads,
        demo_plans,
        demo_prospects,
        demo_targets,
        demo_volume,
    )

    if args.remove:
        print(f"已删除演示目标企业 {demo_prospects.remove(session=session)} 家")
        print(f"已删除演示项目 {demo_leads.remove(session=session)} 个")
        print(f"已删除演示填报 {demo_targets.remove(session=session)} 条")
        print(f"已删除演示规划 {demo_plans.remove(session=session)} 个")
        print(f"已删除演示企业 {demo.remove(session=session)} 家")
        return
    if get_settings().env == "production":
        raise DomainError("生产环境不能生成演示数据")
    from enterprises.registry.models import Enterprise, Origin

    if session.exec(select(Enterprise.id).where(Enterprise.origin == Origin.demo)).first():
        print("演示企业已存在，跳过生成（先运行 chainplan demo --remove 可重新生成）")
        users = demo.ensure_demo_users(session=session)
        if demo_plans.generate(session=session):
            print(f"已生成现行演示规划：{demo_plans.NAME}")
    else:
        added = 0
        for n, start in enumerate(range(0, args.enterprises, demo.BATCH)):
            size = min(demo.BATCH, args.enterprises - start)
            added += demo.generate(session=session, count=size, seed=args.seed + n)
        histories = demo_cultivation.generate(session=session, seed=args.seed)
        events = args.events if args.events is not None else demo.city_events(args.enterprises)
        extra = demo_volume.histories(session=session, events=events, seed=args.seed)
        users = demo.ensure_demo_users(session=session)
        projects = demo_leads.generate(
            session=session, count=min(args.leads, demo_leads.SERVICE_LEADS), seed=args.seed
        )
        if args.leads > projects:
            projects += demo_volume.leads(
                session=session, count=args.leads - projects, seed=args.seed
            )
        reports = demo_targets.generate(session=session, seed=args.seed)
        targets = demo_prospects.generate(session=session, seed=args.seed)
        firm_suggestions = _suggest(session)
        refresh_statistics(session)
        if demo_plans.generate(session=session):
            print(f"已生成现行演示规划：{demo_plans.NAME}")
        print(f"已生成演示企业 {added} 家（标记为演示数据），培育记录 {histories} 条，")
        print(f"招商项目 {projects} 个，目标填报 {reports} 条")
        print(f"招商目标企业 {targets} 家，本区企业的环节建议 {firm_suggestions} 条（待链长审核）")
        if extra:
            print(f"另为城市规模数据补充培育事件 {extra} 条")
    print(f"\n演示账号（密码均为 {demo.DEMO_PASSWORD}）：")
    for user in users:
        print(f"  {user.username:<10} {ROLE_LABELS[user.role]:<8} {user.display_name}")


@collector.paused()
def _suggest(session: Session) -> int:
    """Suggest segments for every registry firm and every target firm; return the former."""
    from chainmaps import suggestions
    from chains.matching import load_matcher
    from enterprises.prospects import matching

    matcher = load_matcher(session=session)
    matching.compute_all(session=session, matcher=matcher)
    return suggestions.compute_all(session=session, matcher=matcher)


@_session_scope
def cmd_suggest(session: Session, args: argparse.Namespace) -> None:
    print(
        f"已为本区企业生成环节建议 {_suggest(session)} 条（待链长审核），并重算招商目标的建议环节"
    )


@_session_scope
def cmd_createuser(session: Session, args: argparse.Namespace) -> None:
    from chains import service as chain_service
    from core.orgs import get_park_by_code

    password = args.password or getpass.getpass("密码：")
    park_id = get_park_by_code(session=session, code=args.park).id if args.park else None
    team_id = get_or_create_team(session=session, name=args.team).id if args.team else None
    chain_ids = [require_id(chain_service.get_by_code(session=session, code=c)) for c in args.chain]
    user = create_user(
        session=session,
        username=args.name,
        password=password,
        role=Role(args.role),
        display_name=args.display_name or args.name,
        park_id=park_id,
        team_id=team_id,
        chain_ids=chain_ids,
    )
    print(f"已创建用户 {user.username}（{ROLE_LABELS[Role(user.role)]}）")


def cmd_backup(args: argparse.Namespace) -> None:
    """Write a consistent copy of the database."""
    url = get_settings().database_url
    target = Path(args.to) if args.to else backup.default_path(url, Path("backups"))
    print(f"已备份到 {backup.backup(url, target)}")


def cmd_restore(args: argparse.Namespace) -> None:
    """Replace the database's content with a backup."""
    if not args.yes:
        raise DomainError("恢复会覆盖当前数据库的全部数据：请先停止服务，确认后加 --yes 重新执行")
    backup.restore(get_settings().database_url, Path(args.source))
    print(f"已从 {args.source} 恢复")


def cmd_serve(args: argparse.Namespace) -> None:
    """Serve the web application."""
    import uvicorn

    uvicorn.run(
        "web.app:app_from_env", factory=True, host=args.host, port=args.port, workers=args.workers
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="chainplan", description="Chain Planner 管理命令")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="upgrade the schema").set_defaults(func=cmd_migrate)
    sub.add_parser("seed", help="load chains, parks, units, landmarks").set_defaults(func=cmd_seed)
    sub.add_parser(
        "lapse", help="write the lapse event of recognitions past their validity (run daily)"
    ).set_defaults(func=cmd_lapse)
    sub.add_parser(
        "suggest", help="suggest segments for every firm and target firm from their products"
    ).set_defaults(func=cmd_suggest)
    demo = sub.add_parser("demo", help="generate demo enterprises and demo users")
    demo.add_argument("--enterprises", type=int, default=5000)
    demo.add_argument("--leads", type=int, default=400, help="investment projects")
    demo.add_argument(
        "--events",
        type=int,
        default=None,
        help="cultivation events to reach (default: as many as the firms' take-up gives, "
        "5 per firm above 5,000 firms)",
    )
    demo.add_argument("--seed", type=int, default=2023)
    demo.add_argument("--remove", action="store_true", help="delete every demo enterprise")
    demo.set_defaults(func=cmd_demo)
    user = sub.add_parser("createuser", help="create a user")
    user.add_argument("name")
    user.add_argument("--role", required=True, choices=[r.value for r in Role])
    user.add_argument("--park", help="park code, for park_bureau")
    user.add_argument("--team", help="team name, for promotion")
    user.add_argument("--chain", action="append", default=[], help="chain code, for chain_chief")
    user.add_argument("--display-name")
    user.add_argument("--password", help="prompted for when absent")
    user.set_defaults(func=cmd_createuser)
    saving = sub.add_parser("backup", help="write a consistent copy of the database")
    saving.add_argument("--to", help="file to write (default backups/chainplan-<time>.db|.dump)")
    saving.set_defaults(func=cmd_backup)
    restoring = sub.add_parser("restore", help="replace the database's content with a backup")
    restoring.add_argument("source")
    restoring.add_argument("--yes", action="store_true", help="confirm: every current row goes")
    restoring.set_defaults(func=cmd_restore)
    serve = sub.add_parser("serve", help="serve the web application")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> None:
    """Entry point of the chainplan console script."""
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except DomainError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        sys.exit(1)
