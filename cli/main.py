"""`storyreel render STORY -o film.mp4` and `storyreel serve`."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
import time
import typing
from pathlib import Path

from rich.console import Console

from cli.checks import OptionError, check_job_options, check_settings, parse_cast, parse_voices
from cli.client import GatewayClient, GatewayError
from cli.progress import follow
from cli.stack import LocalStack, StackError, running_stack
from gateway.settings import GatewaySettings
from storyreel.domain import check_story
from storyreel.errors import InvalidInput
from storyreel.profiles import Aspect, ProfileName, SubtitleMode, SubtitlePosition, SubtitleSize

DEFAULT_WORK_DIR = Path(".storyreel")


class UserError(Exception):
    """Something the user must fix; printed as one line, exit code 2."""


def read_story(path: Path, max_bytes: int | None = None) -> str:
    """The story in the file, refused (UserError) when it is not UTF-8, empty, or over max_bytes."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror}") from error
    try:
        story = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(
            f"{path} is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "save it as UTF-8 and try again"
        ) from None
    if not story.strip():
        raise UserError(f"{path} is empty: write a story in it first")
    if max_bytes is not None:
        try:
            check_story(story, max_bytes)
        except InvalidInput as error:
            raise UserError(f"{path}: {error} (the gateway's STORYREEL_GATEWAY_MAX_STORY_BYTES)") from None
    return story


def max_story_bytes() -> int:
    """The largest story the gateway takes, as its settings (environment, .env) say."""
    try:
        return GatewaySettings().max_story_bytes
    except ValueError as error:  # pydantic's ValidationError
        raise UserError(f"the gateway's settings are not valid: {error}") from None


def job_options(args: argparse.Namespace) -> dict[str, object]:
    """The job's options from the command line, checked as the gateway checks them (UserError)."""
    options: dict[str, object] = {
        "title": args.title, "language": args.language, "max_minutes": args.max_minutes, "profile": args.profile,
        "visual_backend": args.visual_backend, "style": args.style, "aspect": args.aspect,
        "subtitles": subtitle_choice(args),
    }
    try:
        if args.voice:
            options["voices"] = parse_voices(args.voice)
        check_job_options(options)
    except OptionError as error:
        raise UserError(str(error)) from None
    return {name: value for name, value in options.items() if value is not None}


def subtitle_choice(args: argparse.Namespace) -> dict[str, str] | None:
    """--subtitles, --subtitle-size and --subtitle-position as the job's subtitles option; None
    when none is given (the job's own, or the composer's default)."""
    chosen = {"mode": args.subtitles, "size": args.subtitle_size, "position": args.subtitle_position}
    given = {name: value for name, value in chosen.items() if value is not None}
    return given or None


Cast = dict[str, tuple[Path, bytes, str]]


def cast_pictures(args: argparse.Namespace) -> Cast:
    """The --cast pictures, read and decoded now (UserError): NAME -> (file, bytes, content type)."""
    if not args.cast:
        return {}
    try:
        limit = GatewaySettings().max_reference_mb
    except ValueError as error:  # pydantic's ValidationError
        raise UserError(f"the gateway's settings are not valid: {error}") from None
    try:
        return parse_cast(args.cast, limit)
    except OptionError as error:
        raise UserError(str(error)) from None


def apply_cast(client: GatewayClient, job_id: str, cast: Cast, poll_s: float = 0.2) -> None:
    """Once the story is planned, give each --cast character its picture (PUT .../reference; the
    job then draws that character's shots from it). A name that is no character of the storyboard
    cancels the job: UserError naming the characters there are."""
    while True:
        job = client.job(job_id)
        if job["steps"]["planning"]["done"] or job["state"] in ("done", "failed", "cancelled"):
            break
        time.sleep(poll_s)
    if job["state"] in ("failed", "cancelled"):
        return  # follow() says why
    characters = client.storyboard(job_id)["characters"]
    found = {}
    for name in cast:
        wanted = name.casefold()
        match = next((c for c in characters if wanted in {c["id"].casefold(), c["name"].casefold(),
                                                          *(a.casefold() for a in c.get("aliases", []))}), None)
        if match is None:
            names = ", ".join(c["name"] for c in characters) or "none"
            raise UserError(f"--cast {name}: the story has no character {name!r} (its characters: {names}); "
                            f"{_stopped(client, job_id)}")
        found[name] = match["id"]
    for name, (_, body, kind) in cast.items():
        try:
            client.put_reference(job_id, found[name], body, kind)
        except GatewayError as refused:
            if refused.status in (413, 415, 422):
                raise UserError(f"--cast {name}: {refused}; {_stopped(client, job_id)}") from None
            raise


def _stopped(client: GatewayClient, job_id: str) -> str:
    """Cancel a job the user's --cast cannot apply to; words saying so."""
    try:
        client.cancel(job_id)
    except GatewayError as refused:
        if refused.status != 409:
            raise
        return f"job {job_id} had already finished without it"
    return f"job {job_id} is cancelled"


def over_cap(job: dict[str, object]) -> str:
    """Words for a film longer than the job's max_minutes (the gateway plans again when its voices
    are slower than the planner expects, a few times at most; what is left over can still pass it), else ''."""
    options = job.get("options")
    cap = float(options.get("max_minutes") or 0) if isinstance(options, dict) else 0.0
    length = job.get("duration_s")
    if cap <= 0 or not isinstance(length, int | float) or length <= cap * 60:
        return ""
    return (f"the film is {length:.1f} s, over --max-minutes {cap:g} ({cap * 60:g} s): its voices speak more "
            "slowly than the planner could fit; a lower --max-minutes makes it shorter")


def output_paths(video: Path) -> tuple[Path, Path, Path]:
    """The film, its subtitles and its storyboard, all named after the film (film.mp4, film.srt,
    film.storyboard.json), so another render in the same folder under another name keeps them."""
    return video, video.with_suffix(".srt"), video.with_suffix(".storyboard.json")


FINAL_PROFILE = ProfileName.HD720
"""What --final renders at unless --profile names another: the default final quality."""
NEW_STORY_ONLY = ("title", "language", "max_minutes", "music", "voice", "cast", "aspect")
"""Options that shape a new job; --final keeps the job's own storyboard, speech and music."""


def check_final(args: argparse.Namespace) -> None:
    """--final JOB or a story, not both; and none of the options that only a new story takes (UserError)."""
    if args.final is None:
        if args.story is None:
            raise UserError("give a story file to render, or --final JOB to make the final cut of an earlier job")
        return
    if args.story is not None:
        raise UserError(f"--final {args.final} renders an earlier job again: give no story file ({args.story})")
    given = [name for name in NEW_STORY_ONLY if getattr(args, name) not in (None, [], "", 0)]
    if given:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise UserError(f"{flags}: for a new story only; --final keeps the job's storyboard, speech and music")
    if args.profile == ProfileName.PREVIEW.value:
        raise UserError("--final --profile preview: the final cut is 720p or 1080p")


def _final(args: argparse.Namespace, client: GatewayClient, console: Console) -> int:
    """The final cut of an earlier job: its pictures made again at the final profile (and backend,
    style), its storyboard, speech and music reused; then the film downloaded as for a new one."""
    try:
        view = client.render_again(args.final, profile=args.profile or FINAL_PROFILE.value,
                                   visual_backend=args.visual_backend or None, style=args.style or None,
                                   subtitles=subtitle_choice(args))
    except GatewayError as refused:
        if refused.status in (404, 409, 422):
            raise UserError(f"--final {args.final}: {refused}") from None
        raise
    profile = view["options"].get("profile")
    console.print(f"job {args.final} again at {profile}, at {client.base_url}/v1/jobs/{args.final}")
    return _finish(args, args.final, client, console)


def _render(args: argparse.Namespace, story: str, client: GatewayClient, console: Console) -> int:
    cast = cast_pictures(args)
    try:
        job_id = client.submit(story, music=args.music, **job_options(args))
    except GatewayError as refused:
        if refused.status in (413, 422):  # the job as asked is refused: the user's to fix, like a bad file
            raise UserError(str(refused)) from None
        raise
    console.print(f"job {job_id} at {client.base_url}/v1/jobs/{job_id}")
    if cast:
        with console.status("planning, then giving the cast their pictures"):
            apply_cast(client, job_id, cast)
        console.print(f"cast       {', '.join(f'{name} from {path}' for name, (path, _, _) in cast.items())}")
    return _finish(args, job_id, client, console)


def _finish(args: argparse.Namespace, job_id: str, client: GatewayClient, console: Console) -> int:
    """Follow the job to its end, then download the film, its subtitles and storyboard."""
    job = follow(client, job_id, console)
    if job["state"] == "cancelled":
        console.print(f"[red]error:[/red] job {job_id} was cancelled")
        return 1
    if job["state"] != "done":
        error = job.get("error") or {}
        where = f" at shot {error['shot_id']}" if error.get("shot_id") else ""
        console.print(f"[red]error:[/red] {error.get('step', 'job')} failed{where}: {error.get('reason', 'unknown')}")
        return 1
    video, srt, storyboard = output_paths(args.output)
    links = job["links"]
    client.download(links["video"], video)
    client.download(links["subtitles"], srt)
    client.download(links["storyboard"], storyboard)
    minutes, seconds = divmod(job["duration_s"], 60)
    console.print(f"film       {video}\nsubtitles  {srt}\nstoryboard {storyboard}")
    console.print(f"length     {int(minutes)} min {seconds:.1f} s")
    for note in job.get("plan_notes") or []:
        console.print(f"cut        {note}")
    if not args.gateway:  # the local stack stops now: say how to open the job again (edits, final cut)
        console.print(f"open again storyreel serve --work-dir {args.work_dir}, then "
                      f"http://127.0.0.1:8000/#job={job_id}", soft_wrap=True)  # a command: never wrapped
        console.print(f"final cut  storyreel render --final {job_id} --work-dir {args.work_dir}", soft_wrap=True)
    over = over_cap(job)
    if over:
        console.print(f"[yellow]warning:[/yellow] {over}")
    return 0


def render(args: argparse.Namespace) -> int:
    console = Console(stderr=True)
    check_final(args)
    story = "" if args.final else read_story(args.story, max_story_bytes())  # fail before starting anything
    job_options(args)
    cast_pictures(args)
    if args.music is not None and not args.music.is_file():
        raise UserError(f"the music file {args.music} does not exist")
    if args.output.suffix.lower() != ".mp4":
        raise UserError(f"-o {args.output}: the film is an MP4; name it NAME.mp4")
    if args.gateway:
        client = GatewayClient(args.gateway)
        try:
            return _final(args, client, console) if args.final else _render(args, story, client, console)
        finally:
            client.close()
    stack = LocalStack(work_dir=args.work_dir)
    try:
        with console.status("starting the four services and the gateway"):
            stack.start()
        client = GatewayClient(stack.gateway_url)
        try:
            return _final(args, client, console) if args.final else _render(args, story, client, console)
        finally:
            client.close()
    finally:
        stack.stop()


def serve(args: argparse.Namespace) -> int:
    """Run the stack until Ctrl-C or SIGTERM (exit 0). A process that exits is started again; one
    that keeps exiting stops the whole stack (exit 1): jobs in flight resume at the next serve."""
    stop = threading.Event()
    given_up: list[str] = []

    def give_up(name: str) -> None:
        given_up.append(name)
        stop.set()

    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with running_stack(args.work_dir, host=args.host, gateway_port=args.port, on_give_up=give_up) as stack:
            print(f"storyreel is up: {stack.gateway_url} (API docs at {stack.gateway_url}/docs); Ctrl-C stops it")
            for name, address in stack.addresses.items():
                print(f"  {name:<9} grpc://{address}")
            sys.stdout.flush()  # a pipe or a log file sees it now, not at exit
            with contextlib.suppress(KeyboardInterrupt):
                stop.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
    if given_up:
        raise StackError(f"the {given_up[0]} process kept exiting, so the stack was stopped; see its log in "
                         f"{args.work_dir / 'logs'}, fix it and run storyreel serve again (unfinished jobs resume)")
    return 0


class _Parser(argparse.ArgumentParser):
    """A bad option is one line (what is wrong and how to see the choices), exit code 2."""

    def error(self, message: str) -> typing.NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port (0 to 65535)")
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="storyreel", description="Turn a story into a narrated film.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    render_cmd = commands.add_parser(
        "render", help="render a story file into an MP4 (+ NAME.srt, NAME.storyboard.json)"
    )
    render_cmd.add_argument("story", type=Path, nargs="?", help="UTF-8 text or markdown; English, Hindi or both")
    render_cmd.add_argument(
        "--final", metavar="JOB",
        help="the final cut of an earlier job (a preview, say): its pictures again at 720p (or --profile) with "
        "--visual-backend, --style and the --subtitle options if given, its storyboard, speech and music reused; "
        "with the local stack, "
        "give the --work-dir that job was rendered in",
    )
    render_cmd.add_argument("-o", "--output", type=Path, default=Path("out/film.mp4"), help="the film (MP4)")
    render_cmd.add_argument("--gateway", help="URL of a running gateway; without it the stack starts locally")
    render_cmd.add_argument("--title", default="", help="film title (default: the story's first line)")
    render_cmd.add_argument("--language", choices=["en", "hi", "mixed"], help="default: detected")
    render_cmd.add_argument(
        "--max-minutes", type=float, default=0,
        help="upper bound on the film's length in minutes, fractions allowed (0: none; at most 600)",
    )
    render_cmd.add_argument(
        "--profile", choices=[name.value for name in ProfileName],
        help="output profile: preview (640x360, fast), 720p or 1080p (default: the gateway's)",
    )
    render_cmd.add_argument(
        "--aspect", choices=[shape.value for shape in Aspect],
        help="frame shape: 16:9 (default), 9:16 (tall, for phones) or 1:1 (square)",
    )
    render_cmd.add_argument(
        "--subtitles", choices=[mode.value for mode in SubtitleMode],
        help="burned (into the picture), soft (a track the player shows or hides) or none "
        "(default: the composer's setting, burned); SRT and WebVTT files are written in every mode",
    )
    render_cmd.add_argument(
        "--subtitle-size", choices=[size.value for size in SubtitleSize],
        help="letters of burned subtitles: small, medium (default) or large",
    )
    render_cmd.add_argument(
        "--subtitle-position", choices=[place.value for place in SubtitlePosition],
        help="where burned subtitles sit: bottom (default) or top",
    )
    render_cmd.add_argument(
        "--visual-backend", help="animatic, comfyui or diffusers (default: the visual service's own)"
    )
    render_cmd.add_argument("--style", help="words added to every picture prompt, e.g. 'watercolour'")
    render_cmd.add_argument("--music", type=Path, help="your own music file, looped or trimmed to the film")
    render_cmd.add_argument(
        "--voice", action="append", metavar="NAME=VOICE",
        help="a voice for a character (name, id or alias) or the narrator: the speech engine's voice id, "
        "e.g. Meera=f3 or narrator=m7 (espeak-ng variants); ENGINE:VOICE picks the engine (espeak, piper, "
        "parler); repeatable",
    )
    render_cmd.add_argument(
        "--cast", action="append", metavar="NAME=FILE",
        help="your own picture (PNG or JPEG) of a character (name, id or alias), e.g. Agnes=agnes.png: every "
        "shot of that character is drawn from it instead of the cast sheet's portrait; repeatable",
    )
    render_cmd.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR, help="artifacts, job store, logs")
    render_cmd.set_defaults(handler=render)

    serve_cmd = commands.add_parser("serve", help="start the four services and the gateway, and keep them up")
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address the REST API listens on")
    serve_cmd.add_argument("--port", type=_port, default=8000, help="port the REST API listens on")
    serve_cmd.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR, help="artifacts, job store, logs")
    serve_cmd.set_defaults(handler=serve)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        try:
            check_settings()  # a misspelled or invalid setting, before anything starts
        except OptionError as error:
            raise UserError(str(error)) from None
        code = args.handler(args)
    except (UserError, GatewayError, StackError) as error:
        print(f"storyreel: error: {error}", file=sys.stderr)
        code = 2 if isinstance(error, UserError) else 1
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)

