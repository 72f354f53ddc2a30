
use builtin;
use str;

set edit:completion:arg-completer[trail] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'trail'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'trail'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Set up trail in this repository: create the journal, a default policy, and the git hooks'
            cand import 'Backfill the journal from git history'
            cand log 'List journal records, newest first'
            cand show 'Show records in full'
            cand verify 'Prove the journal intact (exit 1 naming the first bad record if not)'
            cand export 'Write the journal as JSON Lines: as stored, or as OCSF or ECS events'
            cand reindex 'Rebuild the journal''s indexes from its records'
            cand status 'Show where the journal is and what it holds'
            cand note 'Leave the rationale for your next commit in this worktree'
            cand commit 'Commit with a rationale: `git commit`, with the why and impact trail records'
            cand hooks 'Install, remove or inspect the git hooks that let trail check, record and document every commit'
            cand changelog 'Keep the CHANGELOG.md of every directory: check, rebuild, release, merge'
            cand keygen 'Make an authorizer key for protected changes (MCP server configurations)'
            cand policy 'Inspect the protection policy (MCP server configurations, trail.toml)'
            cand authorize 'Mint an authorization token for a protected change (you must be an authorizer)'
            cand timeline 'List every recorded state of one file, oldest first'
            cand restore 'Bring back the content a file had at a recorded moment'
            cand watch 'Record every save in the work tree, until stopped (Ctrl-C or SIGTERM)'
            cand daemon 'Run the watcher in the background, and manage it'
            cand sync 'Share journals through the git remote: push this clone''s, pull the others'''
            cand recover 'Rebuild a deleted or damaged journal from its checkpoints'
            cand doctor 'Check that trail is set up and working here, and say how to fix what is not'
            cand completions 'Print a script that makes your shell complete trail''s commands and options'
            cand man 'Print trail''s manual page, or write a page for every command into a directory'
            cand docs 'Print one of trail''s documentation pages (Markdown), or list them'
            cand agent 'Hook AI coding agents (Claude Code, Cursor, Gemini CLI) into trail'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'trail;init'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --no-hooks 'Do not install the git hooks (`trail hooks install` does it later)'
            cand --watch 'Also start the background watcher (`trail daemon start`), which records every save in the work tree'
            cand --new-store 'Start a new journal where one was lost although refs/trail/journal holds its checkpoints (which `trail recover` would bring back): that chain is kept as refs/trail/replaced/<store id>, and the new store''s first record (store.created) names the store it replaced'
            cand --json 'Print what was set up as one JSON object on stdout: journal (its path), store_id, created (false when it existed), previous (the store ids this repository or its remote held before a new store, which its store.created record names; empty otherwise), policy (the path of trail.toml, or null in a bare repository), policy_written, hooks (as `trail hooks install --json` prints it, or null with --no-hooks). Messages stay on stderr'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;import'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --all 'Also every branch, tag and remote-tracking branch (and HEAD): the history of `git rev-list --all`, without `refs/stash`, notes and trail''s own refs/trail/'
            cand --json 'Print the outcome as one JSON object on stdout: imported (commits recorded now), records (what the journal holds), head_seq, seconds. Messages stay on stderr'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;log'= {
            cand --path 'Only records touching this file, or anything below this directory (relative to the current directory). A trailing / means directory only'
            cand --since 'Only records at or after this time, in the forms `git log --since` reads: 2026-11-26, "2026-11-26 10:00" (a zone after it: UTC, +0200), RFC 3339 or 2822, git''s date format, @SECONDS, "2 days ago", "yesterday", "midnight". Without a zone: UTC (local time with --local)'
            cand --until 'Only records at or before this time (same forms as --since; a bare date includes that whole day, a time to the second that whole second)'
            cand --author 'Only records whose author name or email contains this (any case). As `git log --author` does, the repository''s mailmap (`.mailmap`, `mailmap.file`, `mailmap.blob`) is applied first: a commit made under an old name or address counts as its person''s'
            cand --kind 'Only records of exactly this kind (commit, fs.modify, ...). `commit.*` matches a whole family; a bare family name that is not itself a kind, such as `fs`, does too. A value no kind matches is refused (exit 2)'
            cand --commit 'Only records of this commit: what git names it by (HEAD, a branch, a tag, HEAD~2, an id or an abbreviation). A name git cannot resolve is refused (exit 2)'
            cand --change 'Only records of this change id (or an abbreviation)'
            cand --agent 'Only records of this AI coding agent (claude-code, cursor, gemini): its prompts (agent.prompt), its edits (agent.edit) and the commits holding its edits (their detail.agents names it). `trail show --session ID` tells one session''s story'
            cand -n 'Show at most N records'
            cand --limit 'Show at most N records'
            cand --format 'How to print each record (the default: the table; --json is --format json)'
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --no-mailmap 'Match --author against identities as recorded, without the mailmap'
            cand --reverse 'Oldest first'
            cand --json 'Print the canonical records as JSON Lines (one record per line, exactly as stored and as `trail export` writes them). With --all-clones each line is `{"record":RECORD,"store":STORE_ID}` instead'
            cand --all-clones 'Also the journals of the other clones, as last fetched and verified by `trail sync pull`, merged by time; a STORE column says whose journal each record is from'
            cand -f 'Keep printing records as they are appended (by hooks, the watcher, any trail process): the last 10 matching records (or -n N), oldest first, then each new one. Ends with exit 0 on Ctrl-C or when the reader of the output goes away. A log shipper that must resume where it stopped uses `trail export --follow --since-seq N` instead'
            cand --follow 'Keep printing records as they are appended (by hooks, the watcher, any trail process): the last 10 matching records (or -n N), oldest first, then each new one. Ends with exit 0 on Ctrl-C or when the reader of the output goes away. A log shipper that must resume where it stopped uses `trail export --follow --since-seq N` instead'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;show'= {
            cand --session 'Show an AI coding agent session''s story instead: its id as the agent gave it (`detail.agent.session`, the `Agent-Session:` trailer), or a unique beginning of it'
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --json 'Print the canonical record(s) as JSON Lines instead; with --session, one JSON object: {"session", "agents", "turns": [{"prompt": N, "record": RECORD or null, "edits": [RECORD...]}], "commits": [RECORD...]}'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;verify'= {
            cand --against 'Also compare with the checkpoints REMOTE holds for this store (pushed by `trail sync push`): the local journal must contain every record they sign. A rewrite of the local journal, even one that recomputed every hash, is reported with the first seq where the two disagree'
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --all-clones 'Verify every journal''s checkpoint chain held in this repository (refs/trail/clones/*, and refs/trail/journal) instead of the local store: signatures, hashes, and continuity from seq 1. One line per journal; exit 1 naming those that fail. Works without a journal of its own (fetch the chains first: `trail sync pull`, or `git fetch origin ''refs/trail/*:refs/trail/*''`); with none to verify it says so, even with -q, and exits 0'
            cand --json 'Print the outcome as one JSON object: ok, records, head_seq, head_hash, first_bad_seq, checkpointed_seq (the last seq the checkpoints on refs/trail/journal cover; null without any), seconds, findings (seq, problem). The exit code is the same. With --all-clones, one object per journal (JSON Lines): ok, store, ref, own, records, head_seq, head_hash, commits, key, last_checkpoint_time, first_bad_seq, problem'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;export'= {
            cand -o 'Write to this file instead of standard output. The file appears complete or not at all (a device or FIFO, such as /dev/null, is written into)'
            cand --output 'Write to this file instead of standard output. The file appears complete or not at all (a device or FIFO, such as /dev/null, is written into)'
            cand --format 'What each line is (always one JSON object per line; `trail docs export` maps each record kind to OCSF and ECS)'
            cand --since-seq 'Only the records after record N (N is the last seq a reader already has: `--since-seq 41` starts at 42)'
            cand --since 'Only records at or after this time: RFC 3339, a date, or "2 days ago" (as `trail log --since`). Record times follow the events (an imported commit has its commit time), so resume by --since-seq where you can'
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand -f 'Keep writing records as they are appended, until Ctrl-C or until the reader of standard output goes away (both exit 0). Standard output only'
            cand --follow 'Keep writing records as they are appended, until Ctrl-C or until the reader of standard output goes away (both exit 0). Standard output only'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;reindex'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --json 'Print the outcome as one JSON object on stdout: records (how many were reindexed), seconds, intact (what the verification afterwards found) and first_bad_seq. Messages stay on stderr'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;status'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --json 'Print it as one JSON object (journal, store_id, records, head_hash, bytes_on_disk, checkpoint: seq, time and problem — null, or why the journal does not hold the record it signs —, last_verify, spooled: records waiting in .git/trail/pending/spool to be written, spool_damaged: spool files that cannot be read, missed_commits: commits made here whose post-commit did not finish)'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;note'= {
            cand --why 'Why the change is being made: the problem it solves'
            cand --impact 'What the change affects: users, modules, data, compatibility'
            cand --token 'An authorization token (from `trail authorize`) for the next commit''s changes to protected paths (MCP server configurations, trail.toml)'
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --clear 'Drop the waiting note'
            cand --json 'Print the note waiting afterwards (after --why/--impact/--token or --clear, or as it is) as one JSON object on stdout: waiting, time, why, impact (null when absent) and token (whether one is kept; the token itself is not printed)'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;commit'= {
            cand -m 'The commit message (as `git commit -m`)'
            cand --message 'The commit message (as `git commit -m`)'
            cand --why 'Why the change is made: the problem it solves'
            cand --impact 'What the change affects: users, modules, data, compatibility'
            cand --token 'An authorization token (from `trail authorize`) for changes to protected paths: MCP server configurations and trail.toml'
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;hooks'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand install 'Install trail''s git hooks in this repository (running it again changes nothing)'
            cand uninstall 'Remove trail''s git hooks and put back the hooks they replaced'
            cand status 'Show which of trail''s git hooks are installed, and where'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'trail;hooks;install'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --force 'Install even into a hooks directory set by a global, system or environment `core.hooksPath` (it changes the hooks of every repository using it), and replace `merge.trail.*` keys that hold other values'
            cand --server 'Install the server-side hooks (pre-receive and update) instead, in the repository people push to (usually bare): they refuse every pushed commit that changes a protected path (MCP server configurations, trail.toml) without a valid `Trail-Authorization:` trailer, judged against the policy at the tip of the server''s default branch, and refuse rewrites and deletions of the default branch and of `[protect] branches`. Sets `receive.denyNonFastForwards` and `receive.denyDeletes` where they are not set. Also adds `records.jsonl -delta` to its info/attributes, so that fetching the journals pushed there (`trail sync pull`) does not make git search for deltas between their segments'
            cand --json 'Print what was done as one JSON object on stdout: hooks_dir, origin (where the directory comes from, in words), server, hooks (one {name, action} each, action being "installed", "unchanged", "updated", "chained", "legacy" (the pre-commit framework runs it) or "delegated" (a hook manager already runs `trail hook NAME`) and merge_driver_changed. Messages stay on stderr'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;hooks;uninstall'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --force 'Remove trail''s shims even from a hooks directory set by a global, system or environment `core.hooksPath` (other repositories use it too)'
            cand --json 'Print what was done as one JSON object on stdout: hooks_dir, origin, hooks (one {name, action} each, action being "removed", "restored" or "left_foreign"), merge_driver_changed, journal_attributes_removed and blocks_removed (the files trail''s call was removed from). Messages stay on stderr'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;hooks;status'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --json 'Print it as one JSON object: dir, origin, hooks (name, state, chained, manager, trail_runs, via, displaced, problem), merge_driver'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;hooks;help'= {
            cand install 'Install trail''s git hooks in this repository (running it again changes nothing)'
            cand uninstall 'Remove trail''s git hooks and put back the hooks they replaced'
            cand status 'Show which of trail''s git hooks are installed, and where'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'trail;hooks;help;install'= {
        }
        &'trail;hooks;help;uninstall'= {
        }
        &'trail;hooks;help;status'= {
        }
        &'trail;hooks;help;help'= {
        }
        &'trail;changelog'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand check 'List directories without a CHANGELOG.md, and CHANGELOG.md files trail cannot edit'
            cand sync 'Add the journal''s commits to the CHANGELOG.md files that lack them'
            cand release 'Turn `## [Unreleased]` into `## [VERSION] - DATE` in every CHANGELOG.md'
            cand merge 'The git merge driver for CHANGELOG.md files (git runs this, not you)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'trail;changelog;check'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --json 'Print each finding as a JSON object on its own line'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;changelog;sync'= {
            cand --since 'Only commits at or after this time: RFC 3339, a date, or "2 days ago"'
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --include-imported 'Also commits that `trail import` recorded from the existing history'
            cand --json 'Print what was written as one JSON object on stdout: added (entries in all), files (one {path, created, entries} per file written), skipped (commits whose change id is not letters and digits) and malformed (one message per file left alone). Messages stay on stderr; the exit code is the same'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;changelog;release'= {
            cand --date 'The release date, YYYY-MM-DD. Default: today (UTC)'
            cand --tag-prefix 'What the release''s git tag starts with, for the compare links: `v` links to tag v1.4.0; a package''s tags might start with `journal-v`'
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --no-links 'Write no compare links. They are written (Keep a Changelog''s `[1.4.0]: …/compare/v1.3.0...v1.4.0` at the end of each file) when the remote `origin`, or the only remote, is on GitHub, GitLab, Gitea, Forgejo or Codeberg'
            cand --json 'Print what was released as one JSON object on stdout: version, date, released (the paths of the files changed), unchanged (how many had nothing unreleased) and links (the forge''s web address the compare links point to, or null). Messages stay on stderr'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;changelog;merge'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;changelog;help'= {
            cand check 'List directories without a CHANGELOG.md, and CHANGELOG.md files trail cannot edit'
            cand sync 'Add the journal''s commits to the CHANGELOG.md files that lack them'
            cand release 'Turn `## [Unreleased]` into `## [VERSION] - DATE` in every CHANGELOG.md'
            cand merge 'The git merge driver for CHANGELOG.md files (git runs this, not you)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'trail;changelog;help;check'= {
        }
        &'trail;changelog;help;sync'= {
        }
        &'trail;changelog;help;release'= {
        }
        &'trail;changelog;help;merge'= {
        }
        &'trail;changelog;help;help'= {
        }
        &'trail;keygen'= {
            cand --name 'The key''s name: its file name and the name on its public key line (default: your user name, or "default")'
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --add 'Also add the public key to `[protect] authorizers` in this repository''s trail.toml'
            cand --json 'Print one JSON object instead of the public key line: name, public_key (the line), key_id, path (the private key file), created (false when --add used an existing key) and added_to (the trail.toml the key was added to, or null). Messages stay on stderr'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;policy'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand check 'Say which staged changes touch protected paths, and why'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'trail;policy;check'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --json 'Print one JSON object on stdout instead of text'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;policy;help'= {
            cand check 'Say which staged changes touch protected paths, and why'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'trail;policy;help;check'= {
        }
        &'trail;policy;help;help'= {
        }
        &'trail;authorize'= {
            cand --path 'A glob of paths the token covers (repeat; e.g. `.mcp.json`, `scripts/mcp/**`)'
            cand --digest 'Approve only the change with this staged digest (64 hex digits, from `trail policy check`)'
            cand --ttl 'How long the token is valid: a number and s, m, h or d (e.g. 30m, 2h, 1d; at most 30d)'
            cand --reason 'Why the change is allowed (recorded in the token)'
            cand --key 'The key to sign with: NAME for `$XDG_CONFIG_HOME/trail/keys/NAME.key` (default: the only key there)'
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --staged 'Approve only the protected changes staged in this repository now'
            cand --reuse 'Let the token authorize more than one commit (default: single use)'
            cand --json 'Print one JSON object instead of the bare token: token, id, key_id, repo, paths, issued_at, expires_at (RFC 3339 UTC), reuse, digest (or null) and reason. Messages stay on stderr'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;timeline'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --no-follow 'Do not follow renames back to the file''s earlier names'
            cand --json 'One JSON object per state: seq, time, kind, path (path_b64 when the path is not UTF-8), status, from (from_b64), blob, sha256, size, mode, commit, who'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;restore'= {
            cand --at 'The moment: a record''s seq, or a time'
            cand --to 'Write the content to FILE instead of PATH ("-" for standard output)'
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --force 'Overwrite PATH even when it holds content the journal has not recorded'
            cand --json 'Print what was restored as one JSON object on stdout: path, seq (the record whose state was restored), time, kind, written_to (the file written). Not with `--to -`, which writes the content to stdout'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;watch'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;daemon'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand start 'Start the watcher in the background (nothing happens if it runs already)'
            cand stop 'Stop the background watcher: it records what is pending, flushes the journal and exits (SIGTERM; waits up to 10 s)'
            cand status 'Say whether the watcher runs: pid, uptime, events recorded, queue lag, last error'
            cand unit 'Print a systemd user unit that runs `trail watch` for this repository'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'trail;daemon;start'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;daemon;stop'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;daemon;status'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --json 'Print the daemon''s status object as JSON'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;daemon;unit'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;daemon;help'= {
            cand start 'Start the watcher in the background (nothing happens if it runs already)'
            cand stop 'Stop the background watcher: it records what is pending, flushes the journal and exits (SIGTERM; waits up to 10 s)'
            cand status 'Say whether the watcher runs: pid, uptime, events recorded, queue lag, last error'
            cand unit 'Print a systemd user unit that runs `trail watch` for this repository'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'trail;daemon;help;start'= {
        }
        &'trail;daemon;help;stop'= {
        }
        &'trail;daemon;help;status'= {
        }
        &'trail;daemon;help;unit'= {
        }
        &'trail;daemon;help;help'= {
        }
        &'trail;sync'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand push 'Push this clone''s checkpoints to REMOTE as refs/trail/clones/<store id>'
            cand pull 'Fetch the other clones'' checkpoints from REMOTE and verify them'
            cand checkpoint 'Write a checkpoint of the journal now (the hooks do after every commit)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'trail;sync;push'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --json 'Print the outcome as JSON on stdout (the fields are listed above); messages stay on stderr and the exit code is the same'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;sync;pull'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --json 'Print the outcome as JSON on stdout (the fields are listed above); messages stay on stderr and the exit code is the same'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;sync;checkpoint'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --json 'Print the outcome as one JSON object on stdout (the fields are listed above)'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;sync;help'= {
            cand push 'Push this clone''s checkpoints to REMOTE as refs/trail/clones/<store id>'
            cand pull 'Fetch the other clones'' checkpoints from REMOTE and verify them'
            cand checkpoint 'Write a checkpoint of the journal now (the hooks do after every commit)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'trail;sync;help;push'= {
        }
        &'trail;sync;help;pull'= {
        }
        &'trail;sync;help;checkpoint'= {
        }
        &'trail;sync;help;help'= {
        }
        &'trail;recover'= {
            cand --from 'Take the checkpoints from REMOTE instead of refs/trail/journal'
            cand --store 'The store to recover (its 32-hex id), when trail cannot tell: with --from, after refs/trail/journal and the store''s key are gone too'
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --force 'Rebuild even when the journal verifies and holds every checkpointed record'
            cand --json 'Print the outcome as one JSON object on stdout: recovered (false when there was nothing to recover), store, source, checkpointed_seq (the last checkpointed record), records (taken from the checkpoints), commits, last_checkpoint_time, salvaged (records after the last checkpoint kept from the old journal), head_seq (where the journal now ends), kept (where the damaged journal was moved, or null) and lost (the first and last seq of lost records, or null). Messages stay on stderr; the exit code is the same'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;doctor'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --json 'One JSON object per finding: check, status (ok, note, warning, problem), message, fix'
            cand --no-verify 'Skip `trail verify` of the journal (the slowest check on a large one)'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;completions'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;man'= {
            cand --dir 'Write one page per command into DIR (created if missing), replacing pages of the same name, instead of printing the page for `trail`'
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;docs'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;agent'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand install 'Merge trail''s hooks into the agent''s project settings (.claude/settings.json, .cursor/hooks.json, .gemini/settings.json), keeping everything already there'
            cand uninstall 'Take trail''s hooks out again: the file is restored byte for byte when nobody changed it since the install, else only trail''s entries go'
            cand status 'Which agents have trail''s hooks, and whether they were changed'
            cand hook 'Run one hook: read the agent''s payload on stdin and answer in its format (what the installed hooks call; exit codes in `trail docs agents`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'trail;agent;install'= {
            cand --program 'The trail the hooks run (default: `trail` when it is on PATH and is this program, else this program''s absolute path)'
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;agent;uninstall'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;agent;status'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand --json 'One JSON object per agent on stdout: agent, path, exists, installed, altered, hooked, missing, unreadable'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;agent;hook'= {
            cand --color 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never'
            cand -v 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand --verbose 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works'
            cand -q 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --quiet 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)'
            cand --local 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)'
            cand -P 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand --no-pager 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'trail;agent;help'= {
            cand install 'Merge trail''s hooks into the agent''s project settings (.claude/settings.json, .cursor/hooks.json, .gemini/settings.json), keeping everything already there'
            cand uninstall 'Take trail''s hooks out again: the file is restored byte for byte when nobody changed it since the install, else only trail''s entries go'
            cand status 'Which agents have trail''s hooks, and whether they were changed'
            cand hook 'Run one hook: read the agent''s payload on stdin and answer in its format (what the installed hooks call; exit codes in `trail docs agents`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'trail;agent;help;install'= {
        }
        &'trail;agent;help;uninstall'= {
        }
        &'trail;agent;help;status'= {
        }
        &'trail;agent;help;hook'= {
        }
        &'trail;agent;help;help'= {
        }
        &'trail;help'= {
            cand init 'Set up trail in this repository: create the journal, a default policy, and the git hooks'
            cand import 'Backfill the journal from git history'
            cand log 'List journal records, newest first'
            cand show 'Show records in full'
            cand verify 'Prove the journal intact (exit 1 naming the first bad record if not)'
            cand export 'Write the journal as JSON Lines: as stored, or as OCSF or ECS events'
            cand reindex 'Rebuild the journal''s indexes from its records'
            cand status 'Show where the journal is and what it holds'
            cand note 'Leave the rationale for your next commit in this worktree'
            cand commit 'Commit with a rationale: `git commit`, with the why and impact trail records'
            cand hooks 'Install, remove or inspect the git hooks that let trail check, record and document every commit'
            cand changelog 'Keep the CHANGELOG.md of every directory: check, rebuild, release, merge'
            cand keygen 'Make an authorizer key for protected changes (MCP server configurations)'
            cand policy 'Inspect the protection policy (MCP server configurations, trail.toml)'
            cand authorize 'Mint an authorization token for a protected change (you must be an authorizer)'
            cand timeline 'List every recorded state of one file, oldest first'
            cand restore 'Bring back the content a file had at a recorded moment'
            cand watch 'Record every save in the work tree, until stopped (Ctrl-C or SIGTERM)'
            cand daemon 'Run the watcher in the background, and manage it'
            cand sync 'Share journals through the git remote: push this clone''s, pull the others'''
            cand recover 'Rebuild a deleted or damaged journal from its checkpoints'
            cand doctor 'Check that trail is set up and working here, and say how to fix what is not'
            cand completions 'Print a script that makes your shell complete trail''s commands and options'
            cand man 'Print trail''s manual page, or write a page for every command into a directory'
            cand docs 'Print one of trail''s documentation pages (Markdown), or list them'
            cand agent 'Hook AI coding agents (Claude Code, Cursor, Gemini CLI) into trail'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'trail;help;init'= {
        }
        &'trail;help;import'= {
        }
        &'trail;help;log'= {
        }
        &'trail;help;show'= {
        }
        &'trail;help;verify'= {
        }
        &'trail;help;export'= {
        }
        &'trail;help;reindex'= {
        }
        &'trail;help;status'= {
        }
        &'trail;help;note'= {
        }
        &'trail;help;commit'= {
        }
        &'trail;help;hooks'= {
            cand install 'Install trail''s git hooks in this repository (running it again changes nothing)'
            cand uninstall 'Remove trail''s git hooks and put back the hooks they replaced'
            cand status 'Show which of trail''s git hooks are installed, and where'
        }
        &'trail;help;hooks;install'= {
        }
        &'trail;help;hooks;uninstall'= {
        }
        &'trail;help;hooks;status'= {
        }
        &'trail;help;changelog'= {
            cand check 'List directories without a CHANGELOG.md, and CHANGELOG.md files trail cannot edit'
            cand sync 'Add the journal''s commits to the CHANGELOG.md files that lack them'
            cand release 'Turn `## [Unreleased]` into `## [VERSION] - DATE` in every CHANGELOG.md'
            cand merge 'The git merge driver for CHANGELOG.md files (git runs this, not you)'
        }
        &'trail;help;changelog;check'= {
        }
        &'trail;help;changelog;sync'= {
        }
        &'trail;help;changelog;release'= {
        }
        &'trail;help;changelog;merge'= {
        }
        &'trail;help;keygen'= {
        }
        &'trail;help;policy'= {
            cand check 'Say which staged changes touch protected paths, and why'
        }
        &'trail;help;policy;check'= {
        }
        &'trail;help;authorize'= {
        }
        &'trail;help;timeline'= {
        }
        &'trail;help;restore'= {
        }
        &'trail;help;watch'= {
        }
        &'trail;help;daemon'= {
            cand start 'Start the watcher in the background (nothing happens if it runs already)'
            cand stop 'Stop the background watcher: it records what is pending, flushes the journal and exits (SIGTERM; waits up to 10 s)'
            cand status 'Say whether the watcher runs: pid, uptime, events recorded, queue lag, last error'
            cand unit 'Print a systemd user unit that runs `trail watch` for this repository'
        }
        &'trail;help;daemon;start'= {
        }
        &'trail;help;daemon;stop'= {
        }
        &'trail;help;daemon;status'= {
        }
        &'trail;help;daemon;unit'= {
        }
        &'trail;help;sync'= {
            cand push 'Push this clone''s checkpoints to REMOTE as refs/trail/clones/<store id>'
            cand pull 'Fetch the other clones'' checkpoints from REMOTE and verify them'
            cand checkpoint 'Write a checkpoint of the journal now (the hooks do after every commit)'
        }
        &'trail;help;sync;push'= {
        }
        &'trail;help;sync;pull'= {
        }
        &'trail;help;sync;checkpoint'= {
        }
        &'trail;help;recover'= {
        }
        &'trail;help;doctor'= {
        }
        &'trail;help;completions'= {
        }
        &'trail;help;man'= {
        }
        &'trail;help;docs'= {
        }
        &'trail;help;agent'= {
            cand install 'Merge trail''s hooks into the agent''s project settings (.claude/settings.json, .cursor/hooks.json, .gemini/settings.json), keeping everything already there'
            cand uninstall 'Take trail''s hooks out again: the file is restored byte for byte when nobody changed it since the install, else only trail''s entries go'
            cand status 'Which agents have trail''s hooks, and whether they were changed'
            cand hook 'Run one hook: read the agent''s payload on stdin and answer in its format (what the installed hooks call; exit codes in `trail docs agents`)'
        }
        &'trail;help;agent;install'= {
        }
        &'trail;help;agent;uninstall'= {
        }
        &'trail;help;agent;status'= {
        }
        &'trail;help;agent;hook'= {
        }
        &'trail;help;help'= {
        }
    ]
    $completions[$command]
}
