"""The posting engine of Post Inventory Cost to G/L (BC report 1002) and its test report (BC report 1003).

One service shared by the wizard, the scheduled action and Adjust Cost (the pattern of core's
``account.move.send``): the queue of value entries, the company lock and row locks, the chunk cut by whole
posting dates, planning (``stock.inventory.cost.planner`` + the pure ``posting_plan``), lock-date moves,
the journal entries (``account.move._gl_create_bulk``), the G/L links and watermarks, the run record, the
test report's data. Everything happens in the caller's transaction: a failure rolls all of it back.
"""
import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace

import psycopg2.errors

from odoo import _, api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from . import gl_sql, posting_plan
from .posting_plan import PlanProblem
from .stock_gl_filter import check_period, filter_domain

_logger = logging.getLogger(__name__)

LOCK_NAMESPACE = gl_sql.lock_namespace("post")
MOVE_BATCH = 200  # journal entries created and posted per ORM call
POST_CHUNK = 20000  # value entries planned and posted at a time (whole posting dates)
CRON_POST_CHUNK = 5000  # value entries posted per call of the scheduled action (whole posting dates)
# from how many value entries a run started from the wizard goes to the background (a request would outlive the HTTP
# worker's limit_time_real); a system parameter of that name overrides it
BACKGROUND_THRESHOLD_PARAM = "stock_account_gl_reconciliation.background_threshold"
BACKGROUND_THRESHOLD = 20000


@dataclass(frozen=True)
class PostingRequest:
    """What to post: the parameters of Post Inventory Cost to G/L, whoever asks (wizard, scheduled action,
    Adjust Cost). Records are Odoo recordsets; empty ``products`` / ``categories`` mean all; ``journal``
    empty: each category's stock journal; ``reference`` (per posting group only): the run's number."""

    company: object
    posting_method: str = "per_posting_group"
    date_from: object = None
    date_to: object = None
    products: object = None
    categories: object = None
    journal: object = None
    reference: str = ""


@dataclass
class PostingPlan:
    """A planned chunk: ``moves`` (``posting_plan.PlannedMove``, dates already moved out of locked periods),
    ``problems`` (``posting_plan.PlanProblem``) and ``notes`` (one line per lock-date move)."""

    moves: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)


class StockInventoryCostPostEngine(models.AbstractModel):
    """Posts the delta ``value - cost_posted_to_gl`` of the queued value entries of manual-valuation
    categories, per entry (one journal entry per value entry, dated its posting date) or per posting group
    (one journal entry per journal and posting date, lines summed per account, account type, warehouse,
    location, category, analytic distribution and sign). Entries that cannot be posted are skipped with a
    reason and stay queued; a posting date inside a lock date moves to the first open date (or raises, per
    the company's policy). Running it twice posts nothing new."""

    _name = "stock.inventory.cost.post.engine"
    _description = "Inventory Cost Posting Engine"

    # ------------------------------------------------------------------------------------------------
    # Queue
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _check_request(self, request):
        """Raise a UserError (ValidationError for an inverted period) for parameters that cannot be posted (nothing is
        posted)."""
        if request.posting_method == "per_entry" and request.reference:
            raise UserError(_("Do not enter a document reference when posting per entry: each journal entry "
                              "keeps the reference of its value entry."))
        if request.journal and request.journal.type != "general":
            raise UserError(_("Journal %(journal)s is a %(type)s journal: choose a miscellaneous (general) journal "
                              "for inventory cost, or leave it empty to use each category's stock journal.",
                              journal=request.journal.display_name, type=request.journal.type))
        check_period(self.env, request.date_from, request.date_to)

    @api.model
    def _queue_domain(self, request, states=("to_post", "partial")):
        """Domain of the value entries ``request`` posts (G/L status in ``states``; None: any status): the filters'
        rule (``stock_gl_filter.filter_domain``) on the posting date, the product and the value entry's category."""
        domain = filter_domain(
            request.company.id, request.date_from, request.date_to,
            request.products.ids if request.products else [], request.categories.ids if request.categories else [],
            date_field="posting_date", product_field="product_id", categ_field="categ_id")
        return domain + ([("gl_state", "in", list(states))] if states else [])

    @api.model
    def _queue_counts(self, request):
        """``[(posting date, number of value entries)]`` of the queue of ``request``, in date order."""
        return self.env["stock.valuation.layer"]._read_group(
            self._queue_domain(request), ["posting_date:day"], ["__count"], order="posting_date:day")

    @api.model
    def _queue_summary(self, request):
        """What waits for posting under ``request``: (number of value entries, amount still to post in company
        currency, oldest posting date or False)."""
        [(count, value, posted, oldest)] = self.env["stock.valuation.layer"]._read_group(
            self._queue_domain(request), [], ["__count", "value:sum", "cost_posted_to_gl:sum", "posting_date:min"])
        return count, request.company.currency_id.round((value or 0.0) - (posted or 0.0)), oldest or False

    @api.model
    def _queue_chunks(self, request):
        """Yield the queue (value entries to post, in posting date order) in recordsets of about
        POST_CHUNK entries made of whole posting dates (``posting_plan.posting_date_ranges``), so that memory
        stays bounded on millions of entries and a posting group (journal, posting date) is never split. The
        dates before the company's first open date form one chunk with the first open date: their entries
        move to that date and stay one posting group. Native real-time postings are linked first
        (``stock.valuation.layer._gl_sync_native_postings``)."""
        SVL = self.env["stock.valuation.layer"]
        SVL._gl_sync_native_postings(company_ids=request.company.ids)
        domain = self._queue_domain(request)
        counts = self._queue_counts(request)
        if not counts:
            return
        if any(not posting_date for posting_date, _count in counts):  # not expected: one chunk, no split
            yield SVL.search(domain, order="posting_date, id")
            return
        open_date = request.company._gl_open_date(counts[0][0])[0]
        for date_from, date_to in posting_plan.posting_date_ranges(counts, POST_CHUNK, open_date):
            yield SVL.search(domain + [("posting_date", ">=", date_from), ("posting_date", "<=", date_to)],
                             order="posting_date, id")

    # ------------------------------------------------------------------------------------------------
    # Locks
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _acquire_lock(self, company):
        """Serialise runs per company with a transaction-level advisory lock. Raises a UserError naming
        the company when another run holds it (the second run posts nothing and says so)."""
        if not self.env.execute_query(gl_sql.advisory_xact_lock(LOCK_NAMESPACE, company.id))[0][0]:
            raise UserError(_(
                "Another Post Inventory Cost to G/L run is in progress for %s. Nothing was posted: run it "
                "again when that run has finished.", company.display_name))

    @api.model
    def _lock_rows(self, svls):
        """Row-lock the value entries of ``svls`` still in the queue (Not Posted, Partially Posted) and return
        them, in the order of ``svls``. Under Odoo's REPEATABLE READ isolation, a row changed by a run
        committed after this transaction started raises a serialization failure, so the request is retried
        on a fresh snapshot and never posts the same delta twice."""
        if not svls:
            return svls
        # driven by the id list (primary-key look-ups): "id = ANY(list)" is planned as a scan of the whole
        # table once the list holds thousands of ids
        self.env["stock.valuation.layer"]._gl_lock_rows(SQL("""
            SELECT svl.id FROM unnest(%s::int[]) AS q(id)
              JOIN stock_valuation_layer svl ON svl.id = q.id
             WHERE svl.gl_state IN ('to_post', 'partial')
               FOR UPDATE OF svl""", svls.ids), len(svls), "value entries")
        queued = {row[0] for row in self.env.cr.fetchall()}
        return svls.filtered(lambda svl: svl.id in queued)

    # ------------------------------------------------------------------------------------------------
    # Plan
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _open_date(self, request, date, journal, cache):
        """(date to post on, lock-date note or None). Follows ``res.company._get_violated_lock_dates``;
        the first open date is the day after the latest violated lock date (BC: Allow Posting From).
        Raises a UserError under the company's "Stop with an error" lock-date policy."""
        key = (date, journal.id)
        if key not in cache:
            company = request.company
            new_date, violated = company._gl_open_date(date, journal)
            if not violated:
                cache[key] = (date, None)
            else:
                if company.gl_lock_date_policy == "error":
                    raise UserError(_(
                        "Posting date %(date)s is inside the %(lock)s of %(company)s and the company does not "
                        "allow moving it (Settings ▸ Locked Posting Dates). Open the period or change the "
                        "policy, then run Post Inventory Cost to G/L again; nothing was posted.",
                        date=date, lock=", ".join(str(name) for _lock, name in violated),
                        company=company.display_name))
                cache[key] = (new_date, _(
                    "%(date)s is locked (%(lock)s): posted on %(new)s.", date=date,
                    lock=", ".join(str(name) for _lock, name in violated), new=new_date))
        return cache[key]

    @api.model
    def _plan(self, request, svls, cache=None):
        """Plan ``svls`` for ``request``: a ``PostingPlan``. Pure computation, nothing written. ``cache``: a
        dict kept across the chunks of one run (account resolutions, lock dates)."""
        cache = {} if cache is None else cache
        entries, problems = self.env["stock.inventory.cost.planner"]._plan_entries(svls, cache)
        lock_cache, notes, moved = cache.setdefault("lock_dates", {}), [], set()
        Journal = self.env["account.journal"]
        for entry in entries:
            if request.journal:
                entry.journal_id = request.journal.id
            new_date, note = self._open_date(request, entry.posting_date, Journal.browse(entry.journal_id), lock_cache)
            if note:
                entry.posting_date = new_date
                moved.add(entry.svl_id)
                problems.append(PlanProblem(svl_id=entry.svl_id, code="lock_date", reason=note))
                if note not in notes:
                    notes.append(note)
        moves = posting_plan.plan_moves(entries, request.posting_method, request.company.currency_id.rounding)
        setup_map = {entry.svl_id: entry.setup_id for entry in entries}
        for move in moves:
            move.setup_ids = {svl_id: setup_map.get(svl_id) for svl_id in move.svl_ids}
            move.lock_moved = moved.intersection(move.svl_ids)
        return PostingPlan(moves, problems, notes)

    # ------------------------------------------------------------------------------------------------
    # Posting
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _prepare_move_vals(self, request, move_plan, reference, prefetch_ids=()):
        """Values of ``account.move.create`` for one planned journal entry (``prefetch_ids``: the value
        entries of the whole batch, read together)."""
        SVL = self.env["stock.valuation.layer"]
        per_entry = request.posting_method == "per_entry"
        types = self.env["stock.valuation.layer.gl.link"]._account_type_labels()
        svl = SVL.browse(move_plan.svl_ids[0]).with_prefetch(prefetch_ids) if per_entry else SVL
        ref = (move_plan.reference or svl.description) if per_entry else reference
        entry_label = "%s %s" % (dict(posting_plan.ENTRY_TYPES).get(svl.entry_type, ""), svl.description or "")
        line_vals = []
        for line in move_plan.lines:
            name = entry_label if per_entry else "%s, %s" % (types[line.account_type], ref)
            vals = {
                "name": name.strip(),
                "account_id": line.account_id,
                "balance": line.amount,
            }
            if line.currency_id:
                vals.update(currency_id=line.currency_id, amount_currency=line.amount_currency)
            if line.analytic_distribution:
                vals["analytic_distribution"] = line.analytic_distribution
            if per_entry:
                vals.update(product_id=line.product_id, quantity=line.quantity, partner_id=line.partner_id,
                            product_uom_id=svl.uom_id.id)
            elif line.detail:  # an interim line of one stock move (posting_plan): matchable with invoices
                product = self.env["product.product"].browse(line.product_id)
                vals.update(name=("%s %s" % (line.label, ref)).strip(), product_id=line.product_id,
                            quantity=line.quantity, partner_id=line.partner_id, product_uom_id=product.uom_id.id)
            line_vals.append((0, 0, vals))
        vals = {
            "journal_id": move_plan.journal_id,
            "date": move_plan.posting_date,
            "ref": ref,
            "move_type": "entry",
            "company_id": request.company.id,
            "line_ids": line_vals,
        }
        if per_entry and svl.stock_move_id:
            vals["stock_move_id"] = svl.stock_move_id.id
            vals["partner_id"] = move_plan.lines[0].partner_id
        return vals

    @api.model
    def _new_run(self, request):
        """The run record (``stock.inventory.cost.post.run``) that the chunks of this posting fill."""
        # per posting group the run's number is the journal entries' reference (BC: Document No.); per
        # entry each journal entry keeps its value entry's reference and the run still gets a number
        company = request.company
        run_name = request.posting_method == "per_posting_group" and request.reference or self.env[
            "ir.sequence"].with_company(company).next_by_code("stock.inventory.cost.post")
        return self.env["stock.inventory.cost.post.run"].sudo().create({
            "name": run_name or _("Inventory Cost Posting"),
            "company_id": company.id,
            "date_from": request.date_from, "date_to": request.date_to,
            "posting_method": request.posting_method,
            "product_ids": [(6, 0, request.products.ids if request.products else [])],
            "categ_ids": [(6, 0, request.categories.ids if request.categories else [])],
            "state": "nothing",
        })

    @api.model
    def _post_plan(self, request, plan, run=None):
        """Create and post the planned journal entries of ``plan`` and their G/L links, raise the watermarks
        and add all of it (entries, value entries, totals per account type, skipped entries, lock-date notes)
        to ``run`` (a new run when None), in this transaction: a failure rolls everything back, nothing is
        half-posted. Returns the run."""
        run = run or self._new_run(request)
        company = request.company
        moves = plan.moves
        reference = run.name if request.posting_method == "per_posting_group" else False
        run_vals = {}
        new_notes = [note for note in plan.notes if note not in (run.note or "").split("\n")]
        if new_notes:
            run_vals["note"] = "\n".join(filter(None, [run.note] + new_notes))
        skipped = [(0, 0, {"svl_id": p.svl_id, "code": p.code, "reason": p.reason})
                   for p in plan.problems if p.skip and p.code != "nothing_to_post"]
        if skipped:
            run_vals["skipped_line_ids"] = skipped
        rounding = company.currency_id.rounding
        for key, amount in posting_plan.totals_per_account_type(moves, rounding).items():
            run_vals["total_%s" % key] = posting_plan.round_money(run["total_%s" % key] + amount, rounding)
        if moves:
            run_vals["state"] = "done"
        if run_vals:
            run.write(run_vals)
        if not moves:
            return run
        # Odoo's own create and _post (sequence numbers, balance and lock-date checks), in batches so its
        # per-batch recomputations stay linear; no mail tracking on these technical entries
        AccountMove = self.env["account.move"].sudo().with_context(tracking_disable=True, check_move_validity=False,
                                                                   gl_batch_posting=True)
        account_moves = AccountMove.browse()
        link_vals, deltas = [], {}
        for start in range(0, len(moves), MOVE_BATCH):
            batch = moves[start:start + MOVE_BATCH]
            prefetch_ids = tuple(m.svl_ids[0] for m in batch)
            created = AccountMove._gl_create_bulk([self._prepare_move_vals(request, m, reference, prefetch_ids)
                                                   for m in batch])
            try:
                with self.env.cr.savepoint():
                    created._post(soft=False)
            except psycopg2.errors.UniqueViolation:
                # another transaction took some of these numbers meanwhile (a real-time delivery posted in
                # the same journal): let Odoo number them one by one, with its own retry
                self.env.invalidate_all()
                created.name = "/"
                created._post(soft=False)
            account_moves |= created
            for account_move, move_plan in zip(created, batch, strict=True):
                for aml, line in zip(account_move.line_ids.sorted("id"), move_plan.lines, strict=True):
                    for svl_id, amount in line.contributions.items():
                        link_vals.append({
                            "svl_id": svl_id, "move_line_id": aml.id, "account_type": line.account_type,
                            "amount": amount, "company_id": company.id, "run_id": run.id,
                            "setup_id": move_plan.setup_ids.get(svl_id, False),
                            "lock_date_moved": svl_id in move_plan.lock_moved,
                        })
                        if line.account_type == "inventory":
                            deltas[svl_id] = deltas.get(svl_id, 0.0) + amount
            self.env.invalidate_all()
        self.env["stock.valuation.layer.gl.link"].sudo()._gl_bulk_create(link_vals)
        self.env["stock.valuation.layer"]._gl_add_posted(deltas)
        self.sudo()._match_interim_items(sorted({i for m in moves for i in m.svl_ids}))
        # the run's journal entries in one INSERT; its value entries are those linked with its run_id
        relation = run._fields["move_ids"]
        self.env.cr.execute(SQL(
            "INSERT INTO %s (%s, %s) SELECT %s, unnest(%s::int[]) ON CONFLICT DO NOTHING",
            SQL.identifier(relation.relation), SQL.identifier(relation.column1), SQL.identifier(relation.column2),
            run.id, account_moves.ids))
        run.invalidate_recordset(["move_ids", "svl_ids"])
        run.svl_count += len(deltas)
        return run

    @api.model
    def _post(self, request, run=None):
        """Post the queue of ``request``: lock the company, then read, plan and post the queue chunk by chunk
        (``_queue_chunks``) into one run record (``run``, or a new one), all in this transaction.

        :return: the ``stock.inventory.cost.post.run`` record (state "nothing" when every entry was skipped, with
            the reasons); an empty recordset when the queue of ``request`` is empty (no run record, no number used)
        :raise UserError: another run holds the company's lock, or a locked posting date under the "Stop with
            an error" policy (nothing is posted)
        """
        self._acquire_lock(request.company)
        self.env["stock.valuation.layer"]._gl_set_session("batch")
        # a new run is created with the first planned chunk: a refused plan leaves no run behind
        cache = {}
        for svls in self._queue_chunks(request):
            svls = self._lock_rows(svls)
            run = self._post_plan(request, self._plan(request, svls, cache), run=run)
            # the next chunk starts with an empty cache: memory does not grow with the queue
            self.env.flush_all()
            self.env.invalidate_all()
        return run or self.env["stock.inventory.cost.post.run"]

    # ------------------------------------------------------------------------------------------------
    # Background runs (a large run started from the wizard)
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _background_threshold(self):
        """Number of value entries from which the wizard hands a run to the background."""
        return int(self.env["ir.config_parameter"].sudo().get_param(BACKGROUND_THRESHOLD_PARAM, BACKGROUND_THRESHOLD))

    @api.model
    def _queue_run(self, request, count):
        """Hand ``request`` to the background: a run record in state "queued" holding its parameters and the
        number of entries waiting (``count``, for the progress), posted by the scheduled action "Post Inventory
        Cost to G/L – Background Runs" (``_cron_post_queued_runs``), triggered now. Returns the run."""
        run = self._new_run(request)
        run.write({"state": "queued", "journal_id": request.journal.id if request.journal else False,
                   "to_post_count": count})
        self.env.ref("stock_account_gl_reconciliation.ir_cron_post_queued_runs")._trigger()
        return run

    @api.model
    def _run_request(self, run):
        """The ``PostingRequest`` a queued run was started with."""
        return PostingRequest(company=run.company_id, posting_method=run.posting_method,
                              date_from=run.date_from or None, date_to=run.date_to or None, products=run.product_ids,
                              categories=run.categ_ids, journal=run.journal_id)

    @api.model
    def _next_cron_chunk(self, counts):
        """(last posting date, number of value entries) of the first chunk of about CRON_POST_CHUNK entries of whole
        posting dates of a queue's ``counts`` (``_queue_counts``): what one call of a scheduled action posts."""
        date_to = posting_plan.posting_date_ranges(counts, CRON_POST_CHUNK)[0][1]
        return date_to, sum(count for posting_date, count in counts
                            if date_to is None or (posting_date is not None and posting_date <= date_to))

    @api.model
    def _cron_post_queued_runs(self):
        """Scheduled action "Post Inventory Cost to G/L – Background Runs": post the next chunk (about
        CRON_POST_CHUNK value entries of whole posting dates, in one transaction: a chunk is posted whole or not at
        all) of the oldest queued run, then report progress so that Odoo's cron runner calls again at once while
        entries remain (``ir.cron._notify_progress``). When the run's queue is empty it is done and its user gets a
        notification; a refused chunk (another run holds the company, a locked date under "Stop with an error")
        ends the run with the reason in its notes."""
        Run = self.env["stock.inventory.cost.post.run"].sudo()
        run = Run.search([("state", "in", ("queued", "running"))], order="id", limit=1)
        if not run:
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
            return
        engine = self.sudo().with_company(run.company_id)
        request = engine._run_request(run)
        counts = engine._queue_counts(request)
        taken = 0
        if counts:
            date_to, taken = self._next_cron_chunk(counts)
            try:
                with self.env.cr.savepoint():
                    engine._post(replace(request, date_to=date_to), run=run)
            except UserError as error:
                _logger.warning("Post Inventory Cost to G/L %s stopped: %s", run.name, error)
                run.note = "\n".join(filter(None, [run.note, _("Stopped: %s", error)]))
                counts = []
        remaining = sum(count for _date, count in counts) - taken
        run.state = "running" if remaining > 0 else ("done" if run.svl_count else "nothing")
        if remaining <= 0:
            run.user_id._bus_send("simple_notification", {
                "type": "success" if run.svl_count else "warning", "sticky": True,
                "title": _("Post Inventory Cost to G/L %s", run.name),
                "message": _("%(count)s value entries posted, %(skipped)s skipped. Open Inventory Cost Posting Runs.",
                             count=run.svl_count, skipped=len(run.skipped_line_ids)),
            })
        elif self.env.context.get("ir_cron_progress_id"):
            # Odoo's cron runner calls a job at most 10 times in a row, then waits for its next poll (a minute): the
            # trigger has it called again at once
            self.env.ref("stock_account_gl_reconciliation.ir_cron_post_queued_runs")._trigger()
        self.env["ir.cron"]._notify_progress(done=taken, remaining=max(remaining, 0))

    @api.model
    def _post_entries(self, company, svls):
        """Post the value entries ``svls`` of ``company`` per entry at once, whatever the queue holds (Adjust
        Cost posts its adjustments this way). Returns (run, skipped ``PlanProblem`` list)."""
        request = PostingRequest(company=company, posting_method="per_entry")
        plan = self._plan(request, svls)
        return self._post_plan(request, plan), [p for p in plan.problems if p.skip]

    @api.model
    def _cron_post_inventory_cost(self):
        """Scheduled action "Post Inventory Cost to G/L": companies with Automatic Cost Posting "with each
        scheduled run" post their queue with their scheduled posting method, up to about CRON_POST_CHUNK
        entries per call (whole posting dates, so a posting group is never split); Odoo's cron runner calls
        again while entries remain (``ir.cron._notify_progress``). A company another run is posting is
        skipped; every call leaves a posting run record."""
        done = remaining = 0
        for company in self.env["res.company"].sudo().search([("gl_automatic_cost_posting", "=", "scheduled")]):
            method = company.gl_scheduled_posting_method or "per_posting_group"
            counts = self.sudo()._queue_counts(PostingRequest(company=company, posting_method=method))
            if not counts:
                continue
            date_to, taken = self._next_cron_chunk(counts)
            request = PostingRequest(company=company, date_to=date_to, posting_method=method)
            engine = self.sudo().with_company(company)
            try:
                with self.env.cr.savepoint():
                    engine._post(request)
            except UserError as error:
                # another run holds the lock, or a locked date under "Stop with an error": said in a run record
                # (what the user sees) and in the log, and the other companies go on
                _logger.warning("Post Inventory Cost to G/L skipped for %s: %s", company.display_name, error)
                engine._new_run(request).note = _("Scheduled run skipped: %s", error)
                continue
            done += taken
            remaining += sum(count for _date, count in counts) - taken
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    # ------------------------------------------------------------------------------------------------
    # Test report
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _documents_label(self, svls, limit=10):
        """The documents of value entries ``svls`` for a printed line: their references, each once, the first
        ``limit`` and how many more."""
        documents = sorted(set(filter(None, svls.mapped("gl_document"))))
        label = ", ".join(documents[:limit])
        return label + (" " + _("(%s more)", len(documents) - limit) if len(documents) > limit else "")

    @api.model
    def _test_report_data(self, request):
        """Data of the test report (BC report 1003): planned lines and every problem, nothing written.

        :return: dict with ``lines`` (date, reference, account, account type, amount, value entry ids, their
            documents, products), ``problems`` (value entry id, document, product, date, amount, code, reason,
            skipped), ``totals``
            per account type [(label, amount)], ``move_count``, ``entry_count``, ``notes``; amounts in company
            currency
        :raise UserError: parameters that cannot be posted (``_check_request``), a locked date under the
            "Stop with an error" policy
        """
        self._check_request(request)
        self.env["stock.valuation.layer"]._gl_set_session("batch")
        Account = self.env["account.account"]
        SVL = self.env["stock.valuation.layer"]
        types = self.env["stock.valuation.layer.gl.link"]._account_type_labels()
        rounding = request.company.currency_id.rounding
        lines, problem_rows, all_notes, totals = [], [], [], defaultdict(float)
        move_count = entry_count = 0

        def add_problems(problems):
            records = SVL.browse([p.svl_id for p in problems])
            for problem, svl in zip(problems, records, strict=True):
                problem_rows.append({
                    "svl_id": svl.id, "document": svl.gl_document or "", "product": svl.product_id.display_name,
                    "date": svl.posting_date,
                    "amount": svl.value - svl.cost_posted_to_gl, "code": problem.code, "reason": problem.reason,
                    "skipped": problem.skip,
                })

        cache = {}
        for svls in self._queue_chunks(request):  # chunk by chunk, as the posting: bounded memory
            plan = self._plan(request, svls, cache)
            for move in plan.moves:
                for line in move.lines:
                    fed = SVL.browse(list(line.contributions))
                    lines.append({
                        "date": move.posting_date,
                        "reference": move.reference or request.reference or "",
                        "account": Account.browse(line.account_id).display_name,
                        "account_type": types[line.account_type],
                        "amount": line.amount,
                        "svl_ids": fed.ids,
                        "documents": self._documents_label(fed),
                        "products": ", ".join(fed.product_id.mapped("display_name")),
                    })
            add_problems(plan.problems)
            all_notes += [note for note in plan.notes if note not in all_notes]
            for key, amount in posting_plan.totals_per_account_type(plan.moves, rounding).items():
                totals[key] += amount
            move_count += len(plan.moves)
            entry_count += len({i for m in plan.moves for i in m.svl_ids})
            self.env.invalidate_all()
        add_problems(self._unqueued_problems(request))
        return {
            "lines": lines,
            "problems": problem_rows,
            "totals": [(types[key], posting_plan.round_money(totals[key], rounding))
                       for key, _label in posting_plan.ACCOUNT_TYPES if key in totals],
            "move_count": move_count,
            "entry_count": entry_count,
            "notes": all_notes,
        }

    @api.model
    def _unqueued_problems(self, request):
        """Findings on value entries outside the queue that a controller must see before closing: layers
        with quantity but zero cost (Odoo posts nothing for them: quantity and value diverge)."""
        zero = self.env["stock.valuation.layer"].search(self._queue_domain(request, states=("not_to_post",)) + [
            ("quantity", "!=", 0), ("value", "=", 0)])
        return [PlanProblem(svl_id=svl.id, code="zero_cost", reason=_(
            "Zero-cost entry: quantity %(qty)s %(uom)s of %(product)s has no value; nothing reaches the "
            "general ledger. Check the product's cost.", qty=svl.quantity, uom=svl.uom_id.name,
            product=svl.product_id.display_name)) for svl in zero]

    # ------------------------------------------------------------------------------------------------
    # Interim reconciliation after posting
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _match_interim_items(self, svl_ids):
        """After Post Inventory Cost to G/L posted ``svl_ids``: the interim reconciliations that Odoo's automated
        valuation would have made, replayed in the order they would have happened, because which lines a
        partial reconciliation leaves open depends on it:

        * each stock move, when its own value entries were created (``_validate_accounting_entries``; not for
          landed costs, price differences or adjustments, which Odoo posts otherwise): the invoices and bills
          posted before with the product's stock journal items (``account.move._gl_reconcile_interim``), then
          the journal items of the move and of the move it returns, per reconcilable account;
        * each invoice or bill related to the posted entries' stock moves and posted after some of them, when
          it was posted (``account.move._stock_account_anglo_saxon_reconcile_valuation``).

        Each step sees only the journal items that existed at its time (``account.move.line._gl_existing_at``).
        Only stock moves with something to match (an order line, a return) are read through the ORM."""
        if not svl_ids:
            return
        self.env.flush_all()
        rows = self.env.execute_query(SQL("""
            SELECT svl.product_id, svl.company_id, sm.id, MIN(svl.id),
                   MAX(svl.id) FILTER (WHERE svl.stock_move_id IS NOT NULL AND svl.stock_landed_cost_id IS NULL)
              FROM unnest(%(ids)s::int[]) AS q(id)
              JOIN stock_valuation_layer svl ON svl.id = q.id
              %(effective_move)s
             WHERE EXISTS (SELECT 1 FROM stock_valuation_layer_gl_link l
                            JOIN account_move_line aml ON aml.id = l.move_line_id
                           WHERE l.svl_id = svl.id AND l.run_id IS NOT NULL AND aml.product_id IS NOT NULL)
               AND sm.id IS NOT NULL AND %(matchable)s
             GROUP BY svl.product_id, svl.company_id, sm.id
        """, ids=list(svl_ids), matchable=gl_sql.matchable_move("sm"),
            effective_move=gl_sql.effective_move_joins()))
        events = []  # (value entry id the event follows, 0 = stock move / 1 = invoice, records)
        invoices = self.env["account.move"]
        for product_id, company_id, move_id, first_svl, own_svl in rows:
            company = self.env["res.company"].browse(company_id)
            product = self.env["product.product"].with_company(company).browse(product_id)
            move = self.env["stock.move"].with_company(company).browse(move_id)
            related = move._get_related_invoices()
            invoices |= related.filtered(lambda invoice: invoice.gl_svl_watermark >= first_svl)
            if own_svl:
                events.append((own_svl, 0, (move, product, related)))
        events += [(invoice.gl_svl_watermark, 1, invoice) for invoice in invoices]
        # a stock move's value entries come after the invoices posted before them (watermark below), an
        # invoice after the value entries up to its watermark
        for last_svl, kind, records in sorted(events, key=lambda event: (event[0], event[1], event[2].id
                                                                         if event[1] else 0)):
            if kind:
                records._gl_reconcile_interim(until=(last_svl, last_svl))
                continue
            move, product, related = records
            moment = (last_svl, last_svl - 1)
            if move.company_id.anglo_saxon_accounting:
                related.filtered(lambda invoice: invoice.gl_svl_watermark < last_svl)._gl_reconcile_interim(
                    product, until=moment)
            by_account = defaultdict(lambda: self.env["account.move.line"])
            for line in (move | move.origin_returned_move_id)._get_all_related_aml()._gl_existing_at(moment):
                if not line.reconciled and line.move_id.state == "posted" and line.account_id.reconcile:
                    by_account[line.account_id] |= line
            for lines in by_account.values():
                lines.reconcile()

