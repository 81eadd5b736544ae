import json
import zlib

import psycopg2.errors

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..models import posting_plan

LOCK_NAMESPACE = zlib.crc32(b"stock_account_gl_reconciliation.post") & 0x7FFFFFFF
MOVE_BATCH = 200  # journal entries created and posted per ORM call
POST_CHUNK = 20000  # value entries planned and posted at a time (whole posting dates)


class StockInventoryCostPost(models.TransientModel):
    """Post Inventory Cost to G/L (BC report 1002) and its test report (BC report 1003).

    Posts the delta ``value - cost_posted_to_gl`` of the queued value entries of manual-valuation
    categories, per entry (one journal entry per value entry, dated its posting date) or per posting
    group (one journal entry per journal and posting date, lines summed per account, account type,
    warehouse, location, category, analytic distribution and sign). Entries that cannot be posted are
    skipped with a reason and stay queued; a posting date inside a lock date moves to the first open
    date (or raises, per the company's policy). Running it twice posts nothing new.
    """

    _name = "stock.inventory.cost.post"
    _description = "Post Inventory Cost to G/L"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    date_from = fields.Date("Posting Date From")
    date_to = fields.Date("Posting Date To", default=fields.Date.context_today)
    product_ids = fields.Many2many("product.product", string="Products", check_company=True)
    categ_ids = fields.Many2many("product.category", string="Product Categories")
    posting_method = fields.Selection(
        [("per_posting_group", "Per Posting Group"), ("per_entry", "Per Entry")],
        required=True, default="per_posting_group")
    reference = fields.Char(
        "Document Reference",
        help="Reference of the journal entries when posting per posting group (default: next number of "
             "the 'Inventory Cost Posting' sequence). Not allowed per entry: each entry keeps its own.")
    journal_id = fields.Many2one(
        "account.journal", check_company=True, domain="[('type', '=', 'general')]",
        help="Journal of the created entries; empty = each category's stock journal.")
    post = fields.Boolean("Post", default=True, help="Unchecked: preview only, nothing is written.")
    show_only_warnings = fields.Boolean("Show Only Warnings")

    @api.onchange("posting_method")
    def _onchange_posting_method(self):
        if self.posting_method == "per_entry":
            self.reference = False

    # ------------------------------------------------------------------------------------------------
    # Plan
    # ------------------------------------------------------------------------------------------------
    def _get_queue_domain(self):
        self.ensure_one()
        domain = [("company_id", "=", self.company_id.id), ("gl_state", "in", ("to_post", "partial"))]
        if self.date_from:
            domain.append(("posting_date", ">=", self.date_from))
        if self.date_to:
            domain.append(("posting_date", "<=", self.date_to))
        if self.product_ids:
            domain.append(("product_id", "in", self.product_ids.ids))
        if self.categ_ids:
            domain.append(("categ_id", "child_of", self.categ_ids.ids))
        return domain

    def _check_parameters(self):
        self.ensure_one()
        if self.posting_method == "per_entry" and self.reference:
            raise UserError(_("Do not enter a document reference when posting per entry: each journal entry "
                              "keeps the reference of its value entry."))
        if self.journal_id and self.journal_id.type != "general":
            raise UserError(_("Journal %(journal)s is a %(type)s journal: choose a miscellaneous (general) journal "
                              "for inventory cost, or leave it empty to use each category's stock journal.",
                              journal=self.journal_id.display_name, type=self.journal_id.type))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise UserError(_("The 'from' date %(f)s is after the 'to' date %(t)s.", f=self.date_from, t=self.date_to))

    def _first_open_date(self, date, journal, cache):
        """(date to post on, lock-date note or None). Follows ``res.company._get_violated_lock_dates``;
        the first open date is the day after the latest violated lock date (BC: Allow Posting From)."""
        key = (date, journal.id)
        if key not in cache:
            new_date, violated = self.company_id._gl_open_date(date, journal)
            if not violated:
                cache[key] = (date, None)
            else:
                if self.company_id.gl_lock_date_policy == "error":
                    raise UserError(_(
                        "Posting date %(date)s is inside the %(lock)s of %(company)s and the company does not "
                        "allow moving it (Settings ▸ Locked Posting Dates). Open the period or change the "
                        "policy, then run Post Inventory Cost to G/L again; nothing was posted.",
                        date=date, lock=", ".join(str(name) for _lock, name in violated),
                        company=self.company_id.display_name))
                cache[key] = (new_date, _(
                    "%(date)s is locked (%(lock)s): posted on %(new)s.", date=date,
                    lock=", ".join(str(name) for _lock, name in violated), new=new_date))
        return cache[key]

    def _compute_plan(self, svls, cache=None):
        """Plan ``svls``: (moves, problems, notes). Pure computation, nothing written. ``cache``: a dict
        kept across the chunks of one run (account resolutions, lock dates).

        ``moves`` come from ``posting_plan.plan_moves`` with posting dates already moved out of locked
        periods; ``problems`` are dicts (svl, code, reason, skip); ``notes`` lists lock-date moves.
        """
        self.ensure_one()
        cache = {} if cache is None else cache
        entries, problems = svls._gl_prepare_plan_entries(cache)
        lock_cache, notes, moved = cache.setdefault("lock_dates", {}), [], set()
        Journal = self.env["account.journal"]
        for entry in entries:
            if self.journal_id:
                entry.journal_id = self.journal_id.id
            new_date, note = self._first_open_date(entry.posting_date, Journal.browse(entry.journal_id), lock_cache)
            if note:
                entry.posting_date = new_date
                moved.add(entry.svl_id)
                svl = svls.browse(entry.svl_id)
                problems.append(dict(svl=svl, code="lock_date", skip=False, reason=note))
                if note not in notes:
                    notes.append(note)
        rounding = self.company_id.currency_id.rounding
        moves = posting_plan.plan_moves(entries, self.posting_method, rounding)
        setup_map = {entry.svl_id: entry.setup_id for entry in entries}
        for move in moves:
            move["setup_ids"] = {svl_id: setup_map.get(svl_id) for svl_id in move["svl_ids"]}
            move["lock_moved"] = moved.intersection(move["svl_ids"])
        return moves, problems, notes

    # ------------------------------------------------------------------------------------------------
    # Posting
    # ------------------------------------------------------------------------------------------------
    def _acquire_lock(self):
        """Serialise runs per company with a transaction-level advisory lock. Raises a UserError naming
        the company when another run holds it (the second run posts nothing and says so)."""
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", (LOCK_NAMESPACE, self.company_id.id))
        if not self.env.cr.fetchone()[0]:
            raise UserError(_(
                "Another Post Inventory Cost to G/L run is in progress for %s. Nothing was posted: run it "
                "again when that run has finished.", self.company_id.display_name))

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

    def _prepare_move_vals(self, move_plan, reference, prefetch_ids=()):
        """Values of ``account.move.create`` for one planned journal entry (``prefetch_ids``: the value
        entries of the whole batch, read together)."""
        self.ensure_one()
        SVL = self.env["stock.valuation.layer"]
        per_entry = self.posting_method == "per_entry"
        types = dict(posting_plan.ACCOUNT_TYPES)
        svl = SVL.browse(move_plan["svl_ids"][0]).with_prefetch(prefetch_ids) if per_entry else SVL
        ref = (move_plan["reference"] or svl.description) if per_entry else reference
        entry_label = "%s %s" % (dict(posting_plan.ENTRY_TYPES).get(svl.entry_type, ""), svl.description or "")
        line_vals = []
        for line in move_plan["lines"]:
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
            "journal_id": move_plan["journal_id"],
            "date": move_plan["posting_date"],
            "ref": ref,
            "move_type": "entry",
            "company_id": self.company_id.id,
            "line_ids": line_vals,
        }
        if per_entry and svl.stock_move_id:
            vals["stock_move_id"] = svl.stock_move_id.id
            vals["partner_id"] = move_plan["lines"][0].partner_id
        return vals

    def _create_moves_bulk(self, AccountMove, vals_list):
        """Create journal entries as Odoo does, with their journal items written in one INSERT.

        The headers go through ``account.move.create``; the items (plain product lines without taxes, in
        company currency unless they carry ``currency_id`` and ``amount_currency``) are inserted with every
        stored field Odoo would compute for them, then marked modified so Odoo recomputes what depends on them
        (entry totals). The caller then runs Odoo's
        ``_post`` (balance, lock dates, sequence numbers, analytic lines) exactly as for ORM-created items.
        """
        headers, lines = [], []
        for vals in vals_list:
            vals = dict(vals)
            lines.append([command[2] for command in vals.pop("line_ids")])
            headers.append(vals)
        created = self._create_numbered_headers(AccountMove, headers)
        self.env.flush_all()
        rows = []
        for move, move_lines in zip(created, lines):
            for sequence, line in enumerate(move_lines):
                rows.append((move.id, line["account_id"], line["name"], line["balance"], line.get("product_id") or None,
                             line.get("product_uom_id") or None, line.get("quantity", 1.0) or 0.0,
                             line.get("partner_id") or None,
                             json.dumps(line["analytic_distribution"]) if line.get("analytic_distribution") else None,
                             sequence + 10, line.get("currency_id") or None,
                             line["amount_currency"] if line.get("currency_id") else None))
        columns = list(zip(*rows))
        self.env.cr.execute(SQL("""
            INSERT INTO account_move_line
                   (move_id, account_id, name, balance, debit, credit, amount_currency, amount_residual,
                    amount_residual_currency, reconciled, currency_id, company_currency_id, company_id, journal_id,
                    date, parent_state, display_type, ref, move_name, partner_id, product_id, product_uom_id,
                    quantity, price_unit, price_subtotal, price_total, sequence, tax_tag_invert,
                    analytic_distribution, create_uid, write_uid, create_date, write_date)
            SELECT v.move_id, v.account_id, v.name, v.balance, GREATEST(v.balance, 0), GREATEST(-v.balance, 0),
                   COALESCE(v.amount_currency, v.balance), CASE WHEN acc.reconcile THEN v.balance ELSE 0 END,
                   CASE WHEN acc.reconcile THEN COALESCE(v.amount_currency, v.balance) ELSE 0 END, FALSE,
                   COALESCE(v.currency_id, c.currency_id), c.currency_id,
                   am.company_id, am.journal_id, am.date, am.state, 'product', am.ref, am.name, v.partner_id,
                   v.product_id, v.product_uom_id, v.quantity, 0, v.balance, v.balance, v.sequence, FALSE, v.analytic::jsonb,
                   %s, %s, now() at time zone 'UTC', now() at time zone 'UTC'
              FROM unnest(%s::int[], %s::int[], %s::varchar[], %s::numeric[], %s::int[], %s::int[], %s::numeric[],
                          %s::int[], %s::varchar[], %s::int[], %s::int[], %s::numeric[])
                   AS v(move_id, account_id, name, balance, product_id, product_uom_id, quantity, partner_id,
                        analytic, sequence, currency_id, amount_currency)
              JOIN account_move am ON am.id = v.move_id
              JOIN res_company c ON c.id = am.company_id
              JOIN account_account acc ON acc.id = v.account_id
             ORDER BY v.move_id, v.sequence
        """, self.env.uid, self.env.uid, *[list(col) for col in columns]))
        self._refresh_planner_statistics("account_move_line", len(rows))
        self.env.invalidate_all()
        # every stored field of the items is written above: only what depends on them through the entry
        # (totals, states) must be recomputed, not the items' own computed fields (analytic distribution
        # models, taxes, prices), which would be looked up again line by line
        created.modified(["line_ids"])
        return created

    def _create_numbered_headers(self, AccountMove, headers):
        """Create draft journal entries (no items) already carrying the numbers Odoo's ``_post`` would give
        them, with one last-number query per journal and sequence period instead of two per entry.

        Per journal, the entries are taken in Odoo's numbering order (date, reference, creation order, as
        ``account.move._compute_name``). The first entry of each sequence period (month, year or range,
        deduced from the journal's format by ``sequence.mixin``) is created alone and numbered by Odoo's own
        ``_set_next_sequence``; the next entries of that period continue its format and counter and are
        created together with their name. ``_post`` keeps a name that matches the entry's date, so the result
        is the numbering Odoo gives when it posts the entries one by one. A number taken meanwhile by another
        transaction raises ``UniqueViolation`` when posting (see ``_post_plan``).

        :return: the created ``account.move`` records, in the order of ``headers``
        """
        # Odoo's defaults depend on the context only, not on the values: computed once for the batch rather
        # than once per entry by create (the sales team default alone costs two queries per entry)
        common = set(headers[0]).intersection(*headers)
        defaults = AccountMove._add_missing_default_values({key: headers[0][key] for key in common})
        defaults = {key: value for key, value in defaults.items() if key not in common}
        headers = [dict(defaults, **vals) for vals in headers]
        created = [None] * len(headers)
        named = []  # indexes of headers created with a name
        order = sorted(range(len(headers)), key=lambda i: (headers[i]["journal_id"], headers[i]["date"],
                                                           headers[i].get("ref") or "", i))
        journal, period = None, None  # period: (date_start, date_end, format_string, format_values)
        for i in order:
            vals = headers[i]
            date = fields.Date.to_date(vals["date"])
            if journal == vals["journal_id"] and period and period[0] <= date <= period[1]:
                period[3]["seq"] += 1
                headers[i] = dict(vals, name=period[2].format(**period[3]))
                named.append(i)
                continue
            move = AccountMove.create([vals])
            if not move.name or move.name == "/" or not move._sequence_matches_date():
                move._set_next_sequence()
            format_string, format_values = move._get_sequence_format_param(move.name)
            reset = move._deduce_sequence_number_reset(move.name)
            date_start, date_end = move._get_sequence_date_range(reset)[:2]
            journal, period = vals["journal_id"], (date_start, date_end, format_string, format_values)
            created[i] = move
        if named:
            for i, move in zip(named, AccountMove.create([headers[i] for i in named])):
                created[i] = move
        return AccountMove.union(*created)

    def _refresh_planner_statistics(self, table, inserted):
        """ANALYZE ``table`` when this transaction has just inserted many rows compared with what
        PostgreSQL's statistics believe it holds (a company's first large posting): Odoo's own queries in
        ``_post`` (payment state, sequence numbers) would otherwise be planned for a near-empty table and
        turn into nested loops over every new journal item. ANALYZE samples at most 30,000 rows and counts
        this transaction's own inserts; the estimate is updated in place, so it runs once per run."""
        self.env.cr.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", (table,))
        estimate = self.env.cr.fetchone()[0]
        if inserted >= 100 and estimate < 10 * inserted:
            self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))

    def _new_run(self):
        """The run record (``stock.inventory.cost.post.run``) that the chunks of this posting fill."""
        self.ensure_one()
        # per posting group the run's number is the journal entries' reference (BC: Document No.); per
        # entry each journal entry keeps its value entry's reference and the run still gets a number
        run_name = self.posting_method == "per_posting_group" and self.reference or self.env["ir.sequence"].with_company(
            self.company_id).next_by_code("stock.inventory.cost.post")
        return self.env["stock.inventory.cost.post.run"].sudo().create({
            "name": run_name or _("Inventory Cost Posting"),
            "company_id": self.company_id.id,
            "date_from": self.date_from, "date_to": self.date_to,
            "posting_method": self.posting_method,
            "product_ids": [(6, 0, self.product_ids.ids)], "categ_ids": [(6, 0, self.categ_ids.ids)],
            "state": "nothing",
        })

    def _post_plan(self, moves, problems, notes, run=None):
        """Create and post the planned journal entries and their G/L links, raise the watermarks and add
        all of it (entries, value entries, totals per account type, skipped entries, lock-date notes) to
        ``run`` (a new run when None), in this transaction: a failure rolls everything back, nothing is
        half-posted. Returns the run."""
        self.ensure_one()
        run = run or self._new_run()
        reference = run.name if self.posting_method == "per_posting_group" else False
        run_vals = {}
        new_notes = [note for note in notes if note not in (run.note or "").split("\n")]
        if new_notes:
            run_vals["note"] = "\n".join(filter(None, [run.note] + new_notes))
        skipped = [(0, 0, {"svl_id": p["svl"].id, "code": p["code"], "reason": p["reason"]})
                   for p in problems if p["skip"] and p["code"] != "nothing_to_post"]
        if skipped:
            run_vals["skipped_line_ids"] = skipped
        rounding = self.company_id.currency_id.rounding
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
            prefetch_ids = tuple(m["svl_ids"][0] for m in batch)
            created = self._create_moves_bulk(AccountMove, [self._prepare_move_vals(m, reference, prefetch_ids)
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
            for account_move, move_plan in zip(created, batch):
                setup_by_svl = move_plan["setup_ids"]
                for aml, line in zip(account_move.line_ids.sorted("id"), move_plan["lines"]):
                    for svl_id, amount in line.contributions.items():
                        link_vals.append({
                            "svl_id": svl_id, "move_line_id": aml.id, "account_type": line.account_type,
                            "amount": amount, "company_id": self.company_id.id, "run_id": run.id,
                            "setup_id": setup_by_svl.get(svl_id, False),
                            "lock_date_moved": svl_id in move_plan["lock_moved"],
                        })
                        if line.account_type == "inventory":
                            deltas[svl_id] = deltas.get(svl_id, 0.0) + amount
            self.env.invalidate_all()
        self.env["stock.valuation.layer.gl.link"].sudo()._gl_bulk_create(link_vals)
        self.env["stock.valuation.layer"]._gl_add_posted(deltas)
        self.env["stock.valuation.layer"].sudo()._gl_match_interim_items(sorted({i for m in moves for i in m["svl_ids"]}))
        # the run's journal entries in one INSERT; its value entries are those linked with its run_id
        field = run._fields["move_ids"]
        self.env.cr.execute(SQL(
            "INSERT INTO %s (%s, %s) SELECT %s, unnest(%s::int[]) ON CONFLICT DO NOTHING",
            SQL.identifier(field.relation), SQL.identifier(field.column1), SQL.identifier(field.column2),
            run.id, account_moves.ids))
        run.invalidate_recordset(["move_ids", "svl_ids"])
        run.svl_count += len(deltas)
        return run

    def _check_rights(self):
        if not self.env.user.has_group("account.group_account_manager"):
            raise AccessError(_("Only accounting administrators can post inventory cost to the general ledger."))

    def _queue_chunks(self):
        """Yield the queue (value entries to post, in posting date order) in recordsets of about
        POST_CHUNK entries made of whole posting dates, so that memory stays bounded on millions of
        entries and a posting group (journal, posting date) is never split. The dates before the company's
        first open date form one chunk with the first open date: their entries move to that date and stay
        one posting group. Native real-time postings are linked first (``_gl_sync_native_postings``)."""
        self.ensure_one()
        SVL = self.env["stock.valuation.layer"]
        SVL._gl_sync_native_postings(company_ids=self.company_id.ids)
        domain = self._get_queue_domain()
        counts = SVL._read_group(domain, ["posting_date:day"], ["__count"], order="posting_date:day")
        if not counts:
            return
        if any(not posting_date for posting_date, _count in counts):  # not expected: one chunk, no split
            yield SVL.search(domain, order="posting_date, id")
            return
        open_date = self.company_id._gl_open_date(counts[0][0])[0]
        ranges, start, taken = [], None, 0
        for posting_date, count in counts:
            if taken and taken + count > POST_CHUNK and posting_date > open_date:
                ranges.append((start, previous))
                start, taken = None, 0
            start, taken, previous = start or posting_date, taken + count, posting_date
        ranges.append((start, previous))
        for date_from, date_to in ranges:
            yield SVL.search(domain + [("posting_date", ">=", date_from), ("posting_date", "<=", date_to)],
                             order="posting_date, id")

    def _run_locked(self):
        """Lock, then read, plan and post the queue chunk by chunk (see ``_queue_chunks``) into one run
        record, all in this transaction; returns the run (also used by the scheduled action). Raises
        UserError when another run holds the company's lock."""
        self.ensure_one()
        self._acquire_lock()
        self.env["stock.valuation.layer"]._gl_set_batch_session()
        run = None  # created with the first planned chunk: a refused plan leaves no run behind
        cache = {}
        for svls in self._queue_chunks():
            svls = self._lock_rows(svls)
            moves, problems, notes = self._compute_plan(svls, cache)
            run = self._post_plan(moves, problems, notes, run=run)
            # the next chunk starts with an empty cache: memory does not grow with the queue
            self.env.flush_all()
            self.env.invalidate_all()
        return run or self._new_run()

    def action_run(self):
        """Post (or, with Post unchecked, preview) inventory cost to G/L.

        :return: the run record's form action when posting; the test report action when previewing
        :raise AccessError: for users outside Accounting ▸ Administrator
        :raise UserError: reference given per entry, dates inverted, another run in progress, or a locked
            posting date with the "Stop with an error" policy (nothing is posted in every case)
        """
        self.ensure_one()
        self._check_rights()
        self._check_parameters()
        if not self.post:
            return self.action_print_test_report()
        run = self._run_locked()
        return {
            "type": "ir.actions.act_window",
            "res_model": "stock.inventory.cost.post.run",
            "res_id": run.id,
            "view_mode": "form",
            "target": "current",
        }

    # ------------------------------------------------------------------------------------------------
    # Test report
    # ------------------------------------------------------------------------------------------------
    def _get_test_report_data(self):
        """Data of the test report (BC report 1003): planned lines and every problem, nothing written.

        :return: dict with ``lines`` (date, reference, account, account type, amount, value entry ids,
            products), ``problems`` (value entry, product, date, amount, code, reason, skipped), totals per
            account type, counts.
        """
        self.ensure_one()
        self._check_parameters()
        self.env["stock.valuation.layer"]._gl_set_batch_session()
        Account = self.env["account.account"]
        SVL = self.env["stock.valuation.layer"]
        types = dict(posting_plan.ACCOUNT_TYPES)
        rounding = self.company_id.currency_id.rounding
        lines, problem_rows, all_notes, totals = [], [], [], {}
        move_count = entry_count = 0

        def add_problems(problems):
            problem_rows.extend({
                "svl_id": p["svl"].id, "product": p["svl"].product_id.display_name,
                "date": p["svl"].posting_date, "amount": p["svl"].value - p["svl"].cost_posted_to_gl,
                "code": p["code"], "reason": p["reason"], "skipped": p["skip"],
            } for p in problems)

        cache = {}
        for svls in self._queue_chunks():  # chunk by chunk, as the posting: bounded memory
            moves, problems, notes = self._compute_plan(svls, cache)
            for move in moves:
                for line in move["lines"]:
                    fed = SVL.browse(list(line.contributions))
                    lines.append({
                        "date": move["posting_date"],
                        "reference": move.get("reference") or self.reference or "",
                        "account": Account.browse(line.account_id).display_name,
                        "account_type": types[line.account_type],
                        "amount": line.amount,
                        "svl_ids": fed.ids,
                        "products": ", ".join(fed.product_id.mapped("display_name")),
                    })
            add_problems(problems)
            all_notes += [note for note in notes if note not in all_notes]
            for key, amount in posting_plan.totals_per_account_type(moves, rounding).items():
                totals[key] = totals.get(key, 0.0) + amount
            move_count += len(moves)
            entry_count += len({i for m in moves for i in m["svl_ids"]})
            self.env.invalidate_all()
        add_problems(self._get_unqueued_problems())
        return {
            "lines": lines,
            "problems": problem_rows,
            "totals": [(types[key], posting_plan.round_money(totals[key], rounding))
                       for key, _label in posting_plan.ACCOUNT_TYPES if key in totals],
            "move_count": move_count,
            "entry_count": entry_count,
            "notes": all_notes,
        }

    def _get_unqueued_problems(self):
        """Findings on value entries outside the queue that a controller must see before closing: layers
        with quantity but zero cost (Odoo posts nothing for them: quantity and value diverge)."""
        domain = [d for d in self._get_queue_domain() if d[0] != "gl_state"]
        zero = self.env["stock.valuation.layer"].search(domain + [
            ("gl_state", "=", "not_to_post"), ("quantity", "!=", 0), ("value", "=", 0)])
        return [dict(svl=svl, code="zero_cost", skip=False, reason=_(
            "Zero-cost entry: quantity %(qty)s %(uom)s of %(product)s has no value; nothing reaches the "
            "general ledger. Check the product's cost.", qty=svl.quantity, uom=svl.uom_id.name,
            product=svl.product_id.display_name)) for svl in zero]

    def action_print_test_report(self):
        """Print the test report (QWeb PDF); nothing is written."""
        self.ensure_one()
        # internal layout: no need to ask for the company document layout first
        return self.env.ref("stock_account_gl_reconciliation.action_report_cost_post_test").report_action(self, config=False)
