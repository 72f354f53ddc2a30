
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'trail' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'trail'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'trail' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Set up trail in this repository: create the journal, a default policy, and the git hooks')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Backfill the journal from git history')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'List journal records, newest first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show records in full')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Prove the journal intact (exit 1 naming the first bad record if not)')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the journal as JSON Lines: as stored, or as OCSF or ECS events')
            [CompletionResult]::new('reindex', 'reindex', [CompletionResultType]::ParameterValue, 'Rebuild the journal''s indexes from its records')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show where the journal is and what it holds')
            [CompletionResult]::new('note', 'note', [CompletionResultType]::ParameterValue, 'Leave the rationale for your next commit in this worktree')
            [CompletionResult]::new('commit', 'commit', [CompletionResultType]::ParameterValue, 'Commit with a rationale: `git commit`, with the why and impact trail records')
            [CompletionResult]::new('hooks', 'hooks', [CompletionResultType]::ParameterValue, 'Install, remove or inspect the git hooks that let trail check, record and document every commit')
            [CompletionResult]::new('changelog', 'changelog', [CompletionResultType]::ParameterValue, 'Keep the CHANGELOG.md of every directory: check, rebuild, release, merge')
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Make an authorizer key for protected changes (MCP server configurations)')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Inspect the protection policy (MCP server configurations, trail.toml)')
            [CompletionResult]::new('authorize', 'authorize', [CompletionResultType]::ParameterValue, 'Mint an authorization token for a protected change (you must be an authorizer)')
            [CompletionResult]::new('timeline', 'timeline', [CompletionResultType]::ParameterValue, 'List every recorded state of one file, oldest first')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Bring back the content a file had at a recorded moment')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Record every save in the work tree, until stopped (Ctrl-C or SIGTERM)')
            [CompletionResult]::new('daemon', 'daemon', [CompletionResultType]::ParameterValue, 'Run the watcher in the background, and manage it')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Share journals through the git remote: push this clone''s, pull the others''')
            [CompletionResult]::new('recover', 'recover', [CompletionResultType]::ParameterValue, 'Rebuild a deleted or damaged journal from its checkpoints')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check that trail is set up and working here, and say how to fix what is not')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a script that makes your shell complete trail''s commands and options')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print trail''s manual page, or write a page for every command into a directory')
            [CompletionResult]::new('docs', 'docs', [CompletionResultType]::ParameterValue, 'Print one of trail''s documentation pages (Markdown), or list them')
            [CompletionResult]::new('agent', 'agent', [CompletionResultType]::ParameterValue, 'Hook AI coding agents (Claude Code, Cursor, Gemini CLI) into trail')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'trail;init' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--no-hooks', '--no-hooks', [CompletionResultType]::ParameterName, 'Do not install the git hooks (`trail hooks install` does it later)')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Also start the background watcher (`trail daemon start`), which records every save in the work tree')
            [CompletionResult]::new('--new-store', '--new-store', [CompletionResultType]::ParameterName, 'Start a new journal where one was lost although refs/trail/journal holds its checkpoints (which `trail recover` would bring back): that chain is kept as refs/trail/replaced/<store id>, and the new store''s first record (store.created) names the store it replaced')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print what was set up as one JSON object on stdout: journal (its path), store_id, created (false when it existed), previous (the store ids this repository or its remote held before a new store, which its store.created record names; empty otherwise), policy (the path of trail.toml, or null in a bare repository), policy_written, hooks (as `trail hooks install --json` prints it, or null with --no-hooks). Messages stay on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;import' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Also every branch, tag and remote-tracking branch (and HEAD): the history of `git rev-list --all`, without `refs/stash`, notes and trail''s own refs/trail/')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the outcome as one JSON object on stdout: imported (commits recorded now), records (what the journal holds), head_seq, seconds. Messages stay on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;log' {
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Only records touching this file, or anything below this directory (relative to the current directory). A trailing / means directory only')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only records at or after this time, in the forms `git log --since` reads: 2026-11-26, "2026-11-26 10:00" (a zone after it: UTC, +0200), RFC 3339 or 2822, git''s date format, @SECONDS, "2 days ago", "yesterday", "midnight". Without a zone: UTC (local time with --local)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only records at or before this time (same forms as --since; a bare date includes that whole day, a time to the second that whole second)')
            [CompletionResult]::new('--author', '--author', [CompletionResultType]::ParameterName, 'Only records whose author name or email contains this (any case). As `git log --author` does, the repository''s mailmap (`.mailmap`, `mailmap.file`, `mailmap.blob`) is applied first: a commit made under an old name or address counts as its person''s')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Only records of exactly this kind (commit, fs.modify, ...). `commit.*` matches a whole family; a bare family name that is not itself a kind, such as `fs`, does too. A value no kind matches is refused (exit 2)')
            [CompletionResult]::new('--commit', '--commit', [CompletionResultType]::ParameterName, 'Only records of this commit: what git names it by (HEAD, a branch, a tag, HEAD~2, an id or an abbreviation). A name git cannot resolve is refused (exit 2)')
            [CompletionResult]::new('--change', '--change', [CompletionResultType]::ParameterName, 'Only records of this change id (or an abbreviation)')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Only records of this AI coding agent (claude-code, cursor, gemini): its prompts (agent.prompt), its edits (agent.edit) and the commits holding its edits (their detail.agents names it). `trail show --session ID` tells one session''s story')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Show at most N records')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most N records')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How to print each record (the default: the table; --json is --format json)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--no-mailmap', '--no-mailmap', [CompletionResultType]::ParameterName, 'Match --author against identities as recorded, without the mailmap')
            [CompletionResult]::new('--reverse', '--reverse', [CompletionResultType]::ParameterName, 'Oldest first')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the canonical records as JSON Lines (one record per line, exactly as stored and as `trail export` writes them). With --all-clones each line is `{"record":RECORD,"store":STORE_ID}` instead')
            [CompletionResult]::new('--all-clones', '--all-clones', [CompletionResultType]::ParameterName, 'Also the journals of the other clones, as last fetched and verified by `trail sync pull`, merged by time; a STORE column says whose journal each record is from')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep printing records as they are appended (by hooks, the watcher, any trail process): the last 10 matching records (or -n N), oldest first, then each new one. Ends with exit 0 on Ctrl-C or when the reader of the output goes away. A log shipper that must resume where it stopped uses `trail export --follow --since-seq N` instead')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep printing records as they are appended (by hooks, the watcher, any trail process): the last 10 matching records (or -n N), oldest first, then each new one. Ends with exit 0 on Ctrl-C or when the reader of the output goes away. A log shipper that must resume where it stopped uses `trail export --follow --since-seq N` instead')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;show' {
            [CompletionResult]::new('--session', '--session', [CompletionResultType]::ParameterName, 'Show an AI coding agent session''s story instead: its id as the agent gave it (`detail.agent.session`, the `Agent-Session:` trailer), or a unique beginning of it')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the canonical record(s) as JSON Lines instead; with --session, one JSON object: {"session", "agents", "turns": [{"prompt": N, "record": RECORD or null, "edits": [RECORD...]}], "commits": [RECORD...]}')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;verify' {
            [CompletionResult]::new('--against', '--against', [CompletionResultType]::ParameterName, 'Also compare with the checkpoints REMOTE holds for this store (pushed by `trail sync push`): the local journal must contain every record they sign. A rewrite of the local journal, even one that recomputed every hash, is reported with the first seq where the two disagree')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--all-clones', '--all-clones', [CompletionResultType]::ParameterName, 'Verify every journal''s checkpoint chain held in this repository (refs/trail/clones/*, and refs/trail/journal) instead of the local store: signatures, hashes, and continuity from seq 1. One line per journal; exit 1 naming those that fail. Works without a journal of its own (fetch the chains first: `trail sync pull`, or `git fetch origin ''refs/trail/*:refs/trail/*''`); with none to verify it says so, even with -q, and exits 0')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the outcome as one JSON object: ok, records, head_seq, head_hash, first_bad_seq, checkpointed_seq (the last seq the checkpoints on refs/trail/journal cover; null without any), seconds, findings (seq, problem). The exit code is the same. With --all-clones, one object per journal (JSON Lines): ok, store, ref, own, records, head_seq, head_hash, commits, key, last_checkpoint_time, first_bad_seq, problem')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;export' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to this file instead of standard output. The file appears complete or not at all (a device or FIFO, such as /dev/null, is written into)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to this file instead of standard output. The file appears complete or not at all (a device or FIFO, such as /dev/null, is written into)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'What each line is (always one JSON object per line; `trail docs export` maps each record kind to OCSF and ECS)')
            [CompletionResult]::new('--since-seq', '--since-seq', [CompletionResultType]::ParameterName, 'Only the records after record N (N is the last seq a reader already has: `--since-seq 41` starts at 42)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only records at or after this time: RFC 3339, a date, or "2 days ago" (as `trail log --since`). Record times follow the events (an imported commit has its commit time), so resume by --since-seq where you can')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep writing records as they are appended, until Ctrl-C or until the reader of standard output goes away (both exit 0). Standard output only')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep writing records as they are appended, until Ctrl-C or until the reader of standard output goes away (both exit 0). Standard output only')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;reindex' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the outcome as one JSON object on stdout: records (how many were reindexed), seconds, intact (what the verification afterwards found) and first_bad_seq. Messages stay on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;status' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print it as one JSON object (journal, store_id, records, head_hash, bytes_on_disk, checkpoint: seq, time and problem — null, or why the journal does not hold the record it signs —, last_verify, spooled: records waiting in .git/trail/pending/spool to be written, spool_damaged: spool files that cannot be read, missed_commits: commits made here whose post-commit did not finish)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;note' {
            [CompletionResult]::new('--why', '--why', [CompletionResultType]::ParameterName, 'Why the change is being made: the problem it solves')
            [CompletionResult]::new('--impact', '--impact', [CompletionResultType]::ParameterName, 'What the change affects: users, modules, data, compatibility')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'An authorization token (from `trail authorize`) for the next commit''s changes to protected paths (MCP server configurations, trail.toml)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--clear', '--clear', [CompletionResultType]::ParameterName, 'Drop the waiting note')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the note waiting afterwards (after --why/--impact/--token or --clear, or as it is) as one JSON object on stdout: waiting, time, why, impact (null when absent) and token (whether one is kept; the token itself is not printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;commit' {
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'The commit message (as `git commit -m`)')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'The commit message (as `git commit -m`)')
            [CompletionResult]::new('--why', '--why', [CompletionResultType]::ParameterName, 'Why the change is made: the problem it solves')
            [CompletionResult]::new('--impact', '--impact', [CompletionResultType]::ParameterName, 'What the change affects: users, modules, data, compatibility')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'An authorization token (from `trail authorize`) for changes to protected paths: MCP server configurations and trail.toml')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;hooks' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install trail''s git hooks in this repository (running it again changes nothing)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove trail''s git hooks and put back the hooks they replaced')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show which of trail''s git hooks are installed, and where')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'trail;hooks;install' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Install even into a hooks directory set by a global, system or environment `core.hooksPath` (it changes the hooks of every repository using it), and replace `merge.trail.*` keys that hold other values')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Install the server-side hooks (pre-receive and update) instead, in the repository people push to (usually bare): they refuse every pushed commit that changes a protected path (MCP server configurations, trail.toml) without a valid `Trail-Authorization:` trailer, judged against the policy at the tip of the server''s default branch, and refuse rewrites and deletions of the default branch and of `[protect] branches`. Sets `receive.denyNonFastForwards` and `receive.denyDeletes` where they are not set. Also adds `records.jsonl -delta` to its info/attributes, so that fetching the journals pushed there (`trail sync pull`) does not make git search for deltas between their segments')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print what was done as one JSON object on stdout: hooks_dir, origin (where the directory comes from, in words), server, hooks (one {name, action} each, action being "installed", "unchanged", "updated", "chained", "legacy" (the pre-commit framework runs it) or "delegated" (a hook manager already runs `trail hook NAME`) and merge_driver_changed. Messages stay on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;hooks;uninstall' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Remove trail''s shims even from a hooks directory set by a global, system or environment `core.hooksPath` (other repositories use it too)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print what was done as one JSON object on stdout: hooks_dir, origin, hooks (one {name, action} each, action being "removed", "restored" or "left_foreign"), merge_driver_changed, journal_attributes_removed and blocks_removed (the files trail''s call was removed from). Messages stay on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;hooks;status' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print it as one JSON object: dir, origin, hooks (name, state, chained, manager, trail_runs, via, displaced, problem), merge_driver')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;hooks;help' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install trail''s git hooks in this repository (running it again changes nothing)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove trail''s git hooks and put back the hooks they replaced')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show which of trail''s git hooks are installed, and where')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'trail;hooks;help;install' {
            break
        }
        'trail;hooks;help;uninstall' {
            break
        }
        'trail;hooks;help;status' {
            break
        }
        'trail;hooks;help;help' {
            break
        }
        'trail;changelog' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'List directories without a CHANGELOG.md, and CHANGELOG.md files trail cannot edit')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Add the journal''s commits to the CHANGELOG.md files that lack them')
            [CompletionResult]::new('release', 'release', [CompletionResultType]::ParameterValue, 'Turn `## [Unreleased]` into `## [VERSION] - DATE` in every CHANGELOG.md')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'The git merge driver for CHANGELOG.md files (git runs this, not you)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'trail;changelog;check' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print each finding as a JSON object on its own line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;changelog;sync' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only commits at or after this time: RFC 3339, a date, or "2 days ago"')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--include-imported', '--include-imported', [CompletionResultType]::ParameterName, 'Also commits that `trail import` recorded from the existing history')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print what was written as one JSON object on stdout: added (entries in all), files (one {path, created, entries} per file written), skipped (commits whose change id is not letters and digits) and malformed (one message per file left alone). Messages stay on stderr; the exit code is the same')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;changelog;release' {
            [CompletionResult]::new('--date', '--date', [CompletionResultType]::ParameterName, 'The release date, YYYY-MM-DD. Default: today (UTC)')
            [CompletionResult]::new('--tag-prefix', '--tag-prefix', [CompletionResultType]::ParameterName, 'What the release''s git tag starts with, for the compare links: `v` links to tag v1.4.0; a package''s tags might start with `journal-v`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--no-links', '--no-links', [CompletionResultType]::ParameterName, 'Write no compare links. They are written (Keep a Changelog''s `[1.4.0]: …/compare/v1.3.0...v1.4.0` at the end of each file) when the remote `origin`, or the only remote, is on GitHub, GitLab, Gitea, Forgejo or Codeberg')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print what was released as one JSON object on stdout: version, date, released (the paths of the files changed), unchanged (how many had nothing unreleased) and links (the forge''s web address the compare links point to, or null). Messages stay on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;changelog;merge' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;changelog;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'List directories without a CHANGELOG.md, and CHANGELOG.md files trail cannot edit')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Add the journal''s commits to the CHANGELOG.md files that lack them')
            [CompletionResult]::new('release', 'release', [CompletionResultType]::ParameterValue, 'Turn `## [Unreleased]` into `## [VERSION] - DATE` in every CHANGELOG.md')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'The git merge driver for CHANGELOG.md files (git runs this, not you)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'trail;changelog;help;check' {
            break
        }
        'trail;changelog;help;sync' {
            break
        }
        'trail;changelog;help;release' {
            break
        }
        'trail;changelog;help;merge' {
            break
        }
        'trail;changelog;help;help' {
            break
        }
        'trail;keygen' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The key''s name: its file name and the name on its public key line (default: your user name, or "default")')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--add', '--add', [CompletionResultType]::ParameterName, 'Also add the public key to `[protect] authorizers` in this repository''s trail.toml')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object instead of the public key line: name, public_key (the line), key_id, path (the private key file), created (false when --add used an existing key) and added_to (the trail.toml the key was added to, or null). Messages stay on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;policy' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Say which staged changes touch protected paths, and why')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'trail;policy;check' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout instead of text')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;policy;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Say which staged changes touch protected paths, and why')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'trail;policy;help;check' {
            break
        }
        'trail;policy;help;help' {
            break
        }
        'trail;authorize' {
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'A glob of paths the token covers (repeat; e.g. `.mcp.json`, `scripts/mcp/**`)')
            [CompletionResult]::new('--digest', '--digest', [CompletionResultType]::ParameterName, 'Approve only the change with this staged digest (64 hex digits, from `trail policy check`)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'How long the token is valid: a number and s, m, h or d (e.g. 30m, 2h, 1d; at most 30d)')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why the change is allowed (recorded in the token)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The key to sign with: NAME for `$XDG_CONFIG_HOME/trail/keys/NAME.key` (default: the only key there)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--staged', '--staged', [CompletionResultType]::ParameterName, 'Approve only the protected changes staged in this repository now')
            [CompletionResult]::new('--reuse', '--reuse', [CompletionResultType]::ParameterName, 'Let the token authorize more than one commit (default: single use)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object instead of the bare token: token, id, key_id, repo, paths, issued_at, expires_at (RFC 3339 UTC), reuse, digest (or null) and reason. Messages stay on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;timeline' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--no-follow', '--no-follow', [CompletionResultType]::ParameterName, 'Do not follow renames back to the file''s earlier names')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON object per state: seq, time, kind, path (path_b64 when the path is not UTF-8), status, from (from_b64), blob, sha256, size, mode, commit, who')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;restore' {
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'The moment: a record''s seq, or a time')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Write the content to FILE instead of PATH ("-" for standard output)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite PATH even when it holds content the journal has not recorded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print what was restored as one JSON object on stdout: path, seq (the record whose state was restored), time, kind, written_to (the file written). Not with `--to -`, which writes the content to stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;watch' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;daemon' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start the watcher in the background (nothing happens if it runs already)')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the background watcher: it records what is pending, flushes the journal and exits (SIGTERM; waits up to 10 s)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Say whether the watcher runs: pid, uptime, events recorded, queue lag, last error')
            [CompletionResult]::new('unit', 'unit', [CompletionResultType]::ParameterValue, 'Print a systemd user unit that runs `trail watch` for this repository')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'trail;daemon;start' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;daemon;stop' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;daemon;status' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the daemon''s status object as JSON')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;daemon;unit' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;daemon;help' {
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start the watcher in the background (nothing happens if it runs already)')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the background watcher: it records what is pending, flushes the journal and exits (SIGTERM; waits up to 10 s)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Say whether the watcher runs: pid, uptime, events recorded, queue lag, last error')
            [CompletionResult]::new('unit', 'unit', [CompletionResultType]::ParameterValue, 'Print a systemd user unit that runs `trail watch` for this repository')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'trail;daemon;help;start' {
            break
        }
        'trail;daemon;help;stop' {
            break
        }
        'trail;daemon;help;status' {
            break
        }
        'trail;daemon;help;unit' {
            break
        }
        'trail;daemon;help;help' {
            break
        }
        'trail;sync' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Push this clone''s checkpoints to REMOTE as refs/trail/clones/<store id>')
            [CompletionResult]::new('pull', 'pull', [CompletionResultType]::ParameterValue, 'Fetch the other clones'' checkpoints from REMOTE and verify them')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Write a checkpoint of the journal now (the hooks do after every commit)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'trail;sync;push' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the outcome as JSON on stdout (the fields are listed above); messages stay on stderr and the exit code is the same')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;sync;pull' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the outcome as JSON on stdout (the fields are listed above); messages stay on stderr and the exit code is the same')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;sync;checkpoint' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the outcome as one JSON object on stdout (the fields are listed above)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;sync;help' {
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Push this clone''s checkpoints to REMOTE as refs/trail/clones/<store id>')
            [CompletionResult]::new('pull', 'pull', [CompletionResultType]::ParameterValue, 'Fetch the other clones'' checkpoints from REMOTE and verify them')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Write a checkpoint of the journal now (the hooks do after every commit)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'trail;sync;help;push' {
            break
        }
        'trail;sync;help;pull' {
            break
        }
        'trail;sync;help;checkpoint' {
            break
        }
        'trail;sync;help;help' {
            break
        }
        'trail;recover' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Take the checkpoints from REMOTE instead of refs/trail/journal')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store to recover (its 32-hex id), when trail cannot tell: with --from, after refs/trail/journal and the store''s key are gone too')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Rebuild even when the journal verifies and holds every checkpointed record')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the outcome as one JSON object on stdout: recovered (false when there was nothing to recover), store, source, checkpointed_seq (the last checkpointed record), records (taken from the checkpoints), commits, last_checkpoint_time, salvaged (records after the last checkpoint kept from the old journal), head_seq (where the journal now ends), kept (where the damaged journal was moved, or null) and lost (the first and last seq of lost records, or null). Messages stay on stderr; the exit code is the same')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;doctor' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON object per finding: check, status (ok, note, warning, problem), message, fix')
            [CompletionResult]::new('--no-verify', '--no-verify', [CompletionResultType]::ParameterName, 'Skip `trail verify` of the journal (the slowest check on a large one)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;man' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write one page per command into DIR (created if missing), replacing pages of the same name, instead of printing the page for `trail`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;docs' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;agent' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Merge trail''s hooks into the agent''s project settings (.claude/settings.json, .cursor/hooks.json, .gemini/settings.json), keeping everything already there')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Take trail''s hooks out again: the file is restored byte for byte when nobody changed it since the install, else only trail''s entries go')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Which agents have trail''s hooks, and whether they were changed')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Run one hook: read the agent''s payload on stdin and answer in its format (what the installed hooks call; exit codes in `trail docs agents`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'trail;agent;install' {
            [CompletionResult]::new('--program', '--program', [CompletionResultType]::ParameterName, 'The trail the hooks run (default: `trail` when it is on PATH and is this program, else this program''s absolute path)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;agent;uninstall' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;agent;status' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON object per agent on stdout: agent, path, exists, installed, altered, hooked, missing, unreadable')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;agent;hook' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (on a terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1 colours a pipe too), always, never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more about what trail does (repeat for more); TRAIL_LOG=debug also works')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings, no progress or notes (RUST_LOG or TRAIL_LOG choose what the log shows)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Show times in the local time zone instead of UTC (tables only: the journal and every --json output keep UTC)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Do not send `log`, `show` and `timeline` output through a pager. By default, on a terminal, it goes to TRAIL_PAGER, else git''s core.pager, else PAGER, else `less -FRX`; an empty value or `cat` means none')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'trail;agent;help' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Merge trail''s hooks into the agent''s project settings (.claude/settings.json, .cursor/hooks.json, .gemini/settings.json), keeping everything already there')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Take trail''s hooks out again: the file is restored byte for byte when nobody changed it since the install, else only trail''s entries go')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Which agents have trail''s hooks, and whether they were changed')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Run one hook: read the agent''s payload on stdin and answer in its format (what the installed hooks call; exit codes in `trail docs agents`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'trail;agent;help;install' {
            break
        }
        'trail;agent;help;uninstall' {
            break
        }
        'trail;agent;help;status' {
            break
        }
        'trail;agent;help;hook' {
            break
        }
        'trail;agent;help;help' {
            break
        }
        'trail;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Set up trail in this repository: create the journal, a default policy, and the git hooks')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Backfill the journal from git history')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'List journal records, newest first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show records in full')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Prove the journal intact (exit 1 naming the first bad record if not)')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the journal as JSON Lines: as stored, or as OCSF or ECS events')
            [CompletionResult]::new('reindex', 'reindex', [CompletionResultType]::ParameterValue, 'Rebuild the journal''s indexes from its records')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show where the journal is and what it holds')
            [CompletionResult]::new('note', 'note', [CompletionResultType]::ParameterValue, 'Leave the rationale for your next commit in this worktree')
            [CompletionResult]::new('commit', 'commit', [CompletionResultType]::ParameterValue, 'Commit with a rationale: `git commit`, with the why and impact trail records')
            [CompletionResult]::new('hooks', 'hooks', [CompletionResultType]::ParameterValue, 'Install, remove or inspect the git hooks that let trail check, record and document every commit')
            [CompletionResult]::new('changelog', 'changelog', [CompletionResultType]::ParameterValue, 'Keep the CHANGELOG.md of every directory: check, rebuild, release, merge')
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Make an authorizer key for protected changes (MCP server configurations)')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Inspect the protection policy (MCP server configurations, trail.toml)')
            [CompletionResult]::new('authorize', 'authorize', [CompletionResultType]::ParameterValue, 'Mint an authorization token for a protected change (you must be an authorizer)')
            [CompletionResult]::new('timeline', 'timeline', [CompletionResultType]::ParameterValue, 'List every recorded state of one file, oldest first')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Bring back the content a file had at a recorded moment')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Record every save in the work tree, until stopped (Ctrl-C or SIGTERM)')
            [CompletionResult]::new('daemon', 'daemon', [CompletionResultType]::ParameterValue, 'Run the watcher in the background, and manage it')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Share journals through the git remote: push this clone''s, pull the others''')
            [CompletionResult]::new('recover', 'recover', [CompletionResultType]::ParameterValue, 'Rebuild a deleted or damaged journal from its checkpoints')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check that trail is set up and working here, and say how to fix what is not')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a script that makes your shell complete trail''s commands and options')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print trail''s manual page, or write a page for every command into a directory')
            [CompletionResult]::new('docs', 'docs', [CompletionResultType]::ParameterValue, 'Print one of trail''s documentation pages (Markdown), or list them')
            [CompletionResult]::new('agent', 'agent', [CompletionResultType]::ParameterValue, 'Hook AI coding agents (Claude Code, Cursor, Gemini CLI) into trail')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'trail;help;init' {
            break
        }
        'trail;help;import' {
            break
        }
        'trail;help;log' {
            break
        }
        'trail;help;show' {
            break
        }
        'trail;help;verify' {
            break
        }
        'trail;help;export' {
            break
        }
        'trail;help;reindex' {
            break
        }
        'trail;help;status' {
            break
        }
        'trail;help;note' {
            break
        }
        'trail;help;commit' {
            break
        }
        'trail;help;hooks' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install trail''s git hooks in this repository (running it again changes nothing)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove trail''s git hooks and put back the hooks they replaced')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show which of trail''s git hooks are installed, and where')
            break
        }
        'trail;help;hooks;install' {
            break
        }
        'trail;help;hooks;uninstall' {
            break
        }
        'trail;help;hooks;status' {
            break
        }
        'trail;help;changelog' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'List directories without a CHANGELOG.md, and CHANGELOG.md files trail cannot edit')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Add the journal''s commits to the CHANGELOG.md files that lack them')
            [CompletionResult]::new('release', 'release', [CompletionResultType]::ParameterValue, 'Turn `## [Unreleased]` into `## [VERSION] - DATE` in every CHANGELOG.md')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'The git merge driver for CHANGELOG.md files (git runs this, not you)')
            break
        }
        'trail;help;changelog;check' {
            break
        }
        'trail;help;changelog;sync' {
            break
        }
        'trail;help;changelog;release' {
            break
        }
        'trail;help;changelog;merge' {
            break
        }
        'trail;help;keygen' {
            break
        }
        'trail;help;policy' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Say which staged changes touch protected paths, and why')
            break
        }
        'trail;help;policy;check' {
            break
        }
        'trail;help;authorize' {
            break
        }
        'trail;help;timeline' {
            break
        }
        'trail;help;restore' {
            break
        }
        'trail;help;watch' {
            break
        }
        'trail;help;daemon' {
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start the watcher in the background (nothing happens if it runs already)')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the background watcher: it records what is pending, flushes the journal and exits (SIGTERM; waits up to 10 s)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Say whether the watcher runs: pid, uptime, events recorded, queue lag, last error')
            [CompletionResult]::new('unit', 'unit', [CompletionResultType]::ParameterValue, 'Print a systemd user unit that runs `trail watch` for this repository')
            break
        }
        'trail;help;daemon;start' {
            break
        }
        'trail;help;daemon;stop' {
            break
        }
        'trail;help;daemon;status' {
            break
        }
        'trail;help;daemon;unit' {
            break
        }
        'trail;help;sync' {
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Push this clone''s checkpoints to REMOTE as refs/trail/clones/<store id>')
            [CompletionResult]::new('pull', 'pull', [CompletionResultType]::ParameterValue, 'Fetch the other clones'' checkpoints from REMOTE and verify them')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Write a checkpoint of the journal now (the hooks do after every commit)')
            break
        }
        'trail;help;sync;push' {
            break
        }
        'trail;help;sync;pull' {
            break
        }
        'trail;help;sync;checkpoint' {
            break
        }
        'trail;help;recover' {
            break
        }
        'trail;help;doctor' {
            break
        }
        'trail;help;completions' {
            break
        }
        'trail;help;man' {
            break
        }
        'trail;help;docs' {
            break
        }
        'trail;help;agent' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Merge trail''s hooks into the agent''s project settings (.claude/settings.json, .cursor/hooks.json, .gemini/settings.json), keeping everything already there')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Take trail''s hooks out again: the file is restored byte for byte when nobody changed it since the install, else only trail''s entries go')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Which agents have trail''s hooks, and whether they were changed')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Run one hook: read the agent''s payload on stdin and answer in its format (what the installed hooks call; exit codes in `trail docs agents`)')
            break
        }
        'trail;help;agent;install' {
            break
        }
        'trail;help;agent;uninstall' {
            break
        }
        'trail;help;agent;status' {
            break
        }
        'trail;help;agent;hook' {
            break
        }
        'trail;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
