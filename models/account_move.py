import json

from odoo import _, api, fields, models, tools
from odoo.tools import SQL


class AccountMove(models.Model):
    _inherit = "account.move"

    gl_svl_watermark = fields.Integer(
        "Value Entries Before Posting", readonly=True, copy=False,
        help="Technical: the last value entry id when this invoice or bill was posted. Post Inventory Cost to "
             "G/L replays Odoo's interim reconciliation in the order of the value entries and the invoices.")

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # Journal entries of Odoo's real-time valuation (and any other entry linked to value entries
        # through ``stock_valuation_layer_ids``) count as posted: link them to their value entries.
        svls = posted.sudo().stock_valuation_layer_ids
        if svls:
            self.env["stock.valuation.layer"].sudo()._gl_sync_native_postings(svl_ids=svls.ids)
        # the entries Odoo's automated valuation posts beside a stock move without a value entry of their own
        # (purchase_stock creates the first with ``stock_valuation_layer_ids = [(6, None, [False])]``: the cache
        # then holds a record of id False)
        expense_entries = posted.filtered(lambda move: move.move_type == "entry" and move.stock_move_id
                                          and not any(move.sudo().stock_valuation_layer_ids.ids))
        if expense_entries and not self.env.context.get("gl_batch_posting"):
            self.env["stock.valuation.layer"].sudo()._gl_link_expense_entries(expense_entries)
        invoices = posted.filtered(lambda move: move.is_invoice())
        if invoices:
            self.env.flush_all()
            self.env.cr.execute(SQL("""
                UPDATE account_move SET gl_svl_watermark = (SELECT COALESCE(MAX(id), 0) FROM stock_valuation_layer)
                 WHERE id = ANY(%s)""", invoices.ids))
            invoices.invalidate_recordset(["gl_svl_watermark"])
        return posted

    # ------------------------------------------------------------------------------------------------
    # Bulk creation of the posting engine's journal entries
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _gl_create_bulk(self, vals_list):
        """Create journal entries as Odoo does, with their journal items written in one INSERT.

        ``self``: the ``account.move`` model with the environment to create with (the posting engine: sudo,
        no tracking, ``check_move_validity`` off). ``vals_list``: values of ``account.move.create`` whose
        ``line_ids`` are ``(0, 0, vals)`` commands with ``account_id``, ``name``, ``balance`` (company currency,
        debit > 0) and optionally ``product_id``, ``product_uom_id``, ``quantity``, ``partner_id``,
        ``analytic_distribution``, ``currency_id`` + ``amount_currency``. Returns the created entries, in order.

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
        created = self._gl_create_numbered_headers(headers)
        self.env.flush_all()
        rows = []
        for move, move_lines in zip(created, lines, strict=True):
            for sequence, line in enumerate(move_lines):
                rows.append((move.id, line["account_id"], line["name"], line["balance"], line.get("product_id") or None,
                             line.get("product_uom_id") or None, line.get("quantity", 1.0) or 0.0,
                             line.get("partner_id") or None,
                             json.dumps(line["analytic_distribution"]) if line.get("analytic_distribution") else None,
                             sequence + 10, line.get("currency_id") or None,
                             line["amount_currency"] if line.get("currency_id") else None))
        columns = list(zip(*rows, strict=True))
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
                   v.product_id, v.product_uom_id, v.quantity, 0, v.balance, v.balance, v.sequence, FALSE,
                   v.analytic::jsonb,
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
        self._gl_refresh_planner_statistics("account_move_line", len(rows))
        self.env.invalidate_all()
        # every stored field of the items is written above: only what depends on them through the entry
        # (totals, states) must be recomputed, not the items' own computed fields (analytic distribution
        # models, taxes, prices), which would be looked up again line by line
        created.modified(["line_ids"])
        return created

    @api.model
    def _gl_create_numbered_headers(self, headers):
        """Create draft journal entries (no items) already carrying the numbers Odoo's ``_post`` would give
        them, with one last-number query per journal and sequence period instead of two per entry.

        Per journal, the entries are taken in Odoo's numbering order (date, reference, creation order, as
        ``account.move._compute_name``). The first entry of each sequence period (month, year or range,
        deduced from the journal's format by ``sequence.mixin``) is created alone and numbered by Odoo's own
        ``_set_next_sequence``; the next entries of that period continue its format and counter and are
        created together with their name. ``_post`` keeps a name that matches the entry's date, so the result
        is the numbering Odoo gives when it posts the entries one by one. A number taken meanwhile by another
        transaction raises ``UniqueViolation`` when posting (the posting engine then lets Odoo number them).

        :return: the created ``account.move`` records, in the order of ``headers``
        """
        # Odoo's defaults depend on the context only, not on the values: computed once for the batch rather
        # than once per entry by create (the sales team default alone costs two queries per entry)
        common = set(headers[0]).intersection(*headers)
        defaults = self._add_missing_default_values({key: headers[0][key] for key in common})
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
            move = self.create([vals])
            if not move.name or move.name == "/" or not move._sequence_matches_date():
                move._set_next_sequence()
            format_string, format_values = move._get_sequence_format_param(move.name)
            reset = move._deduce_sequence_number_reset(move.name)
            date_start, date_end = move._get_sequence_date_range(reset)[:2]
            journal, period = vals["journal_id"], (date_start, date_end, format_string, format_values)
            created[i] = move
        if named:
            for i, move in zip(named, self.create([headers[i] for i in named]), strict=True):
                created[i] = move
        return self.union(*created)

    @api.model
    def _gl_refresh_planner_statistics(self, table, inserted):
        """ANALYZE ``table`` when this transaction has just inserted many rows compared with what
        PostgreSQL's statistics believe it holds (a company's first large posting): Odoo's own queries in
        ``_post`` (payment state, sequence numbers) would otherwise be planned for a near-empty table and
        turn into nested loops over every new journal item. ANALYZE samples at most 30,000 rows and counts
        this transaction's own inserts; the estimate is updated in place, so it runs once per run."""
        estimate = self.env.execute_query(SQL("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", table))[0][0]
        if inserted >= 100 and estimate < 10 * inserted:
            self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))

    def _stock_account_anglo_saxon_reconcile_valuation(self, product=False):
        """Odoo reconciles an invoice's or a bill's interim lines with the stock journal items of its
        products in automated categories; the same for manual categories, whose stock journal items come
        from Post Inventory Cost to G/L (``_gl_reconcile_interim``)."""
        res = super()._stock_account_anglo_saxon_reconcile_valuation(product=product)
        self._gl_reconcile_interim(product)
        return res

    def _gl_reconcile_interim(self, product=False, until=None):
        """``stock_account``'s ``_stock_account_anglo_saxon_reconcile_valuation`` for the interim journal items
        that Post Inventory Cost to G/L posted (manual categories): per invoice, product and interim account
        (stock output for sales, stock input for purchases; the accounts those items were posted on, which
        follow the category the value entries were created in, and the product's current one when it is
        not in an automated category), the invoice's unreconciled lines with those of the related stock
        moves; correction lines (price differences, value-only entries) without exchange difference, as
        Odoo does. Odoo's own method has reconciled the lines of automated categories already.

        :param until: replaying the past (``stock.valuation.layer._gl_match_interim_items``): only the journal
            items that existed at that moment (``account.move.line._gl_existing_at``)
        """
        reconcile_plan, no_exchange_plan = [], []
        for move in self:
            company = move.company_id
            if not (move.is_invoice() and company.anglo_saxon_accounting):
                continue
            stock_moves = move._stock_account_get_last_step_stock_moves()
            stock_moves |= stock_moves.origin_returned_move_id
            if not stock_moves:
                continue
            interim_type = "stock_output" if move.is_sale_document() else "stock_input"
            for prod in (product or move.invoice_line_ids.product_id):
                prod = prod.with_company(company)
                if not prod.is_storable:
                    continue
                product_moves = stock_moves._get_all_related_sm(prod)
                accounts = product_moves._gl_posted_items(interim_type).account_id
                if prod.valuation != "real_time":
                    accounts |= prod.product_tmpl_id._get_product_accounts()[interim_type]
                related = product_moves._get_all_related_aml()._gl_existing_at(until)
                for interim in accounts.filtered("reconcile"):
                    lines = move.line_ids.filtered(
                        lambda line: line.product_id == prod and line.account_id == interim and not line.reconciled)
                    lines |= related.filtered(lambda line: line.account_id == interim and not line.reconciled
                                              and line.move_id.state == "posted")
                    # a price difference of a manual category keeps the bill as its journal entry (Odoo gives
                    # automated ones their own entry): the bill's lines are not corrections
                    corrections = lines.filtered(
                        lambda line: (line.move_id.move_type == "entry"
                                      and line.move_id.sudo().stock_valuation_layer_ids.stock_valuation_layer_id)
                        or line.sudo().gl_link_ids.svl_id.stock_valuation_layer_id
                        or (line.display_type == "cogs" and not line.quantity))
                    invoice_lines = lines.filtered(lambda line: line not in corrections and line.move_id == move)
                    stock_lines = lines - corrections - invoice_lines
                    if not corrections:
                        reconcile_plan.append(lines)
                    elif sum(corrections.mapped("balance")) > 0 or all(line.is_same_currency for line in corrections):
                        no_exchange_plan.append(lines)
                    else:
                        no_exchange_plan.append(invoice_lines | corrections)
                        if invoice_lines | stock_lines:
                            no_exchange_plan.append(invoice_lines | stock_lines)
        AccountMoveLine = self.env["account.move.line"]
        AccountMoveLine._reconcile_plan(reconcile_plan)
        AccountMoveLine.with_context(no_exchange_difference=True)._reconcile_plan(no_exchange_plan)


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def _gl_existing_at(self, moment):
        """The journal items of ``self`` that Odoo's automated valuation would have had at ``moment`` (None:
        all), a pair (last value entry created, last value entry created before the invoices and bills
        posted since): journal items posted from value entries up to the first, invoice and bill lines of
        documents whose ``account.move.gl_svl_watermark`` is up to the second, and every other journal item."""
        if moment is None or not self:
            return self
        svl_id, watermark = moment
        self.env.flush_all()
        rows = self.env.execute_query(SQL("""
            SELECT aml.id
              FROM account_move_line aml JOIN account_move am ON am.id = aml.move_id
             WHERE aml.id = ANY(%(ids)s)
               AND CASE WHEN am.move_type != 'entry' THEN COALESCE(am.gl_svl_watermark, 0) <= %(watermark)s
                        ELSE NOT EXISTS (SELECT 1 FROM stock_valuation_layer_gl_link l
                                          WHERE l.move_line_id = aml.id AND l.svl_id > %(svl)s) END
        """, ids=self.ids, svl=svl_id, watermark=watermark))
        return self.browse([row[0] for row in rows])

    def init(self):
        res = super().init()
        # the reconciliation classifies the few journal items not fed by value entries (bills, invoices,
        # manual entries) on inventory accounts: a partial index keeps that off the millions of linked ones
        # (predicate written as the ORM renders a false boolean, so PostgreSQL matches it to ORM queries)
        tools.create_index(self.env.cr, "account_move_line_gl_unlinked_index", self._table,
                           ["account_id", "date"], where='"gl_linked" IS NULL OR "gl_linked" = false')
        # balances per account of the inventory account types read by index-only scans (measured at 2M
        # journal items: 0.83 s -> 0.38 s per grouped read of the reconciliation analysis)
        if not tools.index_exists(self.env.cr, "account_move_line_gl_account_balance_index"):
            self.env.cr.execute(SQL("""CREATE INDEX account_move_line_gl_account_balance_index ON account_move_line
                                   (account_id, company_id) INCLUDE (parent_state, balance)"""))
        return res

    gl_link_ids = fields.One2many("stock.valuation.layer.gl.link", "move_line_id", "Value Entry Links", readonly=True)
    gl_linked = fields.Boolean(
        "Posted from Inventory", readonly=True, copy=False,
        help="Fed by value entries (has G/L links). Kept by the code that writes links, so that the "
             "reconciliation splits journal items in one pass instead of joining millions of links.")

    def _eligible_for_cogs(self):
        """Storable products of manual-valuation categories get Anglo-Saxon interim accounting (bills on
        Stock Input, COGS lines on invoices) like automated ones when the company posts their cost with
        this module (``gl_interim_accounting``), so both modes end with the same balances."""
        eligible = super()._eligible_for_cogs()
        if eligible or not self.product_id.is_storable:
            return eligible
        company = self.move_id.company_id or self.company_id
        return (self.product_id.with_company(company).valuation == "manual_periodic"
                and company.gl_interim_accounting)

    def action_open_value_entries(self):
        """Drill down: the value entries that fed these journal items (G/L links)."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Value Entries"),
            "res_model": "stock.valuation.layer",
            "view_mode": "list,form",
            "domain": [("id", "in", self.gl_link_ids.svl_id.ids)],
            "context": {"create": False},
        }
