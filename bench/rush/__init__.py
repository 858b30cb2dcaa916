"""The survey rush (DESIGN §4): Monday 9:00, the survey opens and everyone answers at once.

    python -m bench.rush [--invitations N] [--concurrency C] [--database sqlite|postgres] [--json]

1. Sets up its own database: SQLite in a temporary directory, or a throwaway PostgreSQL
   cluster (the process re-executes itself under scripts/with-postgres, with fsync on).
2. Migrates, builds a modest demo organisation (`kerne demo --org-only`), imports a
   40-item instrument and opens a round with N invitations. The tokens exist only in this
   process's memory; the database has their hashes, as in production.
3. Starts Kerne under gunicorn on 127.0.0.1 (2 workers, DEBUG off, static files collected).
4. Phase 1, the rush: C concurrent clients (threads with persistent keep-alive
   connections) each POST complete 40-answer submissions (one in five with a comment) to
   /svar/<token>/ until the tokens run out. Acknowledged = HTTP 303 to the receipt.
   Then it counts what the database holds: stored must equal acknowledged.
5. Phase 2, the crash: the same with fresh tokens, while gunicorn (master and workers) is
   killed with SIGKILL part-way and restarted. Clients retry failed requests, as a browser
   user would. Every acknowledged token's invitation must be marked answered, and the
   responses must equal the answered invitations (the claim and the insert are one
   transaction): lost = acknowledged submissions that are not stored.

Why POST only by default: the answer form is CSRF-exempt (the token in the URL is the
credential, and the form carries no secret of its own), so a browser's submit does not
depend on a fresh GET; at 9:00 people open the page and submit minutes later, so the
burst that matters is the submissions. `--with-get` adds the page load (GET) before each
POST, as one client would do it, and reports its latency too.

The last line with --json is one JSON object: accepted_per_s, p50_ms, p99_ms,
acknowledged, stored, lost (phase 1, with `lost` summed over both phases), plus the
details of both phases.
"""
