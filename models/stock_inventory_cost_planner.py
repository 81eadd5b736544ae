"""The posting planner: value entries -> ``posting_plan.PlanEntry`` objects, with Odoo's own accounts.

The ORM half of the posting plan (``posting_plan`` holds the pure rules): one SQL read of the value entries
to post, the posting setup, and Odoo's own account resolution (``stock.move._get_accounting_data_for_valuation``
pieces, ``product.template.get_product_accounts``) once per resolution key. Used by the posting engine
(``stock.inventory.cost.post.engine``) for the posting, the test report and the adjustments' posting.
"""
from odoo import _, api, models, tools
from odoo.tools import SQL

from . import gl_sql, posting_plan
from .posting_plan import PlanProblem


class StockInventoryCostPlanner(models.AbstractModel):
    """Plans value entries for posting: what to post, on which journal and accounts (nothing is written)."""

    _name = "stock.inventory.cost.planner"
    _description = "Inventory Cost Posting Planner"

    @api.model
    def _plan_entries(self, svls, cache=None):
        """Turn value entries into ``posting_plan.PlanEntry`` objects.

        Accounts come from the posting setup when a row sets the account type, otherwise from Odoo's
        own resolution (``_resolve_native_accounts``). The amount is the delta still to post. Set-based:
        one SQL read for all entries; Odoo's resolution runs once per distinct resolution key (product,
        origin, stock move locations and direction, sign, chosen counterpart account, landed cost), on a
        representative entry, since its result depends on nothing else; setup rows and account checks are
        cached per key too.

        :param cache: dict kept by the caller across the chunks of one run (resolutions, setup rows,
            account checks, product names), so each key is resolved once per run
        :param svls: ``stock.valuation.layer`` recordset (value entries of one or more companies)
        :return: (entries, problems): lists of ``posting_plan.PlanEntry`` and ``posting_plan.PlanProblem``;
            skipped entries are not in ``entries``. Nothing is written.
        """
        entries, problems = [], []
        cache = {} if cache is None else cache
        resolved, best_rows, checked, names = (cache.setdefault(name, {}) for name in (
            "plan_resolved", "plan_setup_rows", "plan_checks", "plan_names"))
        setups = self.env["stock.posting.setup"].search([("company_id", "in", svls.company_id.ids)])
        currencies = {c.id: c.currency_id for c in svls.company_id}
        records = {record.id: record for record in svls}  # one prefetch set for the whole batch
        for row in self._plan_rows(svls):
            svl = records[row["id"]]
            currency = currencies[row["company_id"]]
            delta = row["value"] - row["posted"]
            if currency.is_zero(delta):
                problems.append(PlanProblem(svl_id=svl.id, code="nothing_to_post", skip=True,
                                            reason=_("Nothing to post: the cost is already in the general ledger.")))
                continue
            if row["posting_date"] and not posting_plan.is_postable_date(row["posting_date"]):
                problems.append(PlanProblem(svl_id=svl.id, code="posting_date_out_of_range", skip=True, reason=_(
                    "Posting date %(date)s is outside the years journal entries can be dated in (%(first)s to "
                    "%(last)s): correct the date of the document that created this value entry.",
                    date=tools.format_date(self.env, row["posting_date"]), first=posting_plan.POSTABLE_YEARS[0],
                    last=posting_plan.POSTABLE_YEARS[1])))
                continue
            if row["gl_origin"] == "transfer":
                entry = self._plan_transfer(svl, row, delta, currency, checked, problems, cache)
                if entry:
                    entries.append(entry)
                continue
            positive = row["value"] > 0 or (not row["value"] and row["quantity"] >= 0)
            key = (row["company_id"], row["product_id"], row["categ_id"], row["gl_origin"], row["gl_counterpart_type"],
                   row["move_id"] and (
                row["move_src"], row["move_dest"], row["has_in"], row["has_out"]), positive,
                row["gl_counterpart_account_id"], row["stock_landed_cost_id"], row["document_type"])
            if key not in resolved:
                resolved[key] = self._resolve_native_accounts(svl, cache)
            journal_id, acc_val, acc_counter, acc_expense = resolved[key]
            ctype = row["gl_counterpart_type"] or posting_plan.counterpart_account_type(
                row["document_type"], row["entry_type"], row["gl_origin"])
            accounts = {"inventory": acc_val, ctype: acc_counter}
            # an expense transfer posts once, with the entry's first posting (posting_plan)
            expense_amount = 0.0 if row["posted"] else currency.round(row["expense_amount"])
            if expense_amount:
                accounts.setdefault("cogs", acc_expense)
            setup_ids = self._apply_posting_setup(setups, row, accounts, best_rows, problems) if setups else []
            problem = self._check_accounts(svl, accounts, journal_id, checked)
            if problem:
                problems.append(PlanProblem(svl_id=svl.id, code=problem[0], skip=True, reason=problem[1]))
                continue
            if not row["product_active"]:
                problems.append(PlanProblem(svl_id=svl.id, code="archived_product", skip=False,
                                            reason=_("Product %s is archived.", svl.product_id.display_name)))
            label = row["description"]
            if not label:
                if row["product_id"] not in names:
                    names[row["product_id"]] = svl.product_id.display_name
                label = names[row["product_id"]]
            # a counterpart on a reconcilable account (the interim accounts, or stock input when Odoo falls back
            # to it) of a stock move with something to match stays one line per stock move
            detail_types = frozenset([ctype] if row["matchable"] and self._account_reconciles(
                accounts[ctype], checked) else [])
            in_currency = self._purchase_currency_amounts(row, delta, expense_amount, cache) if detail_types else {}
            entries.append(posting_plan.PlanEntry(
                svl_id=row["id"], company_id=row["company_id"], posting_date=row["posting_date"],
                amount=currency.round(delta), journal_id=journal_id, counterpart_type=ctype,
                accounts=accounts, categ_id=row["categ_id"], warehouse_id=row["warehouse_id"],
                location_id=row["location_id"], product_id=row["product_id"],
                quantity=row["quantity"] if not row["posted"] else 0.0,
                partner_id=row["partner_id"] or False,
                analytic_distribution=row["analytic_distribution"] or None,
                label=label, reference=row["reference"] or row["description"] or "",
                setup_id=setup_ids[0] if setup_ids else False,
                move_id=row["move_id"] or False, expense_amount=expense_amount, detail_types=detail_types,
                **in_currency,
            ))
        return entries, problems

    @api.model
    def _plan_transfer(self, svl, row, delta, currency, checked, problems, cache):
        """The ``PlanEntry`` of a transfer between places, planned from its plus leg (at the destination): Dr the
        destination's inventory account / Cr the source's (``stock.posting.setup._gl_place``), the
        credit linked to the minus leg. The minus leg itself plans nothing (None): its pair carries it."""
        if not row["pair_id"] or row["id"] < row["pair_id"]:  # the minus leg, created first: its pair carries it
            return None
        Setup, company, categ = self.env["stock.posting.setup"], svl.company_id, self.env["product.category"].browse(
            row["categ_id"])
        accounts = [Setup._gl_place(company, row[wh], row[loc], row["categ_id"], cache)[1]
                    for wh, loc in (("warehouse_id", "location_id"), ("pair_warehouse_id", "pair_location_id"))]
        journal_id = self._product_accounts(svl.product_id.with_company(company), cache, categ)["stock_journal"].id
        for account_id in accounts:
            problem = self._check_accounts(svl, {"inventory": account_id}, journal_id, checked)
            if problem:
                problems.append(PlanProblem(svl_id=svl.id, code=problem[0], skip=True, reason=problem[1]))
                return None
        return posting_plan.PlanEntry(
            svl_id=row["id"], company_id=row["company_id"], posting_date=row["posting_date"],
            amount=currency.round(delta), journal_id=journal_id, counterpart_type="inventory",
            accounts={"inventory": accounts[0]}, categ_id=row["categ_id"], warehouse_id=row["warehouse_id"],
            location_id=row["location_id"], product_id=row["product_id"], quantity=row["location_quantity"],
            label=row["description"] or "", reference=row["reference"] or row["description"] or "",
            move_id=row["move_id"] or False, transfer_svl_id=row["pair_id"], transfer_account_id=accounts[1],
            transfer_warehouse_id=row["pair_warehouse_id"], transfer_location_id=row["pair_location_id"])

    @api.model
    def _apply_posting_setup(self, setups, row, accounts, best_rows, problems):
        """Replace the accounts (``{account type: account id}``, in place) that the best matching row of the
        posting setup ``setups`` sets for this value entry (``row`` of ``_plan_rows``: company, warehouse,
        location, category); report a type no matching row sets (Odoo's account stays) in ``problems``.
        ``best_rows``: the run's cache of best rows per dimensions and account type.

        :return: the ids of the setup rows used (list of int)
        """
        Setup = self.env["stock.posting.setup"]
        setup_ids = []
        dims = (row["company_id"], row["warehouse_id"], row["location_id"], row["categ_id"])
        for atype in (None, *accounts):
            if dims + (atype,) not in best_rows:
                best_rows[dims + (atype,)] = setups._gl_best_row(
                    self.env["res.company"].browse(row["company_id"]),
                    self.env["stock.warehouse"].browse(row["warehouse_id"]),
                    self.env["stock.location"].browse(row["location_id"]),
                    self.env["product.category"].browse(row["categ_id"]), atype)
        any_row = best_rows[dims + (None,)]
        for atype in list(accounts):
            best = best_rows[dims + (atype,)]
            if best:
                accounts[atype] = best[Setup._account_field(atype)].id
                setup_ids.append(best.id)
            elif any_row:
                problems.append(PlanProblem(svl_id=row["id"], code="setup_bypassed", skip=False, reason=_(
                    "Posting setup rows match this entry but none sets the %(type)s account: Odoo's "
                    "account is used.", type=self.env["stock.valuation.layer.gl.link"]._account_type_labels()[atype])))
        return setup_ids

    @api.model
    def _purchase_currency_amounts(self, row, delta, expense_amount, cache):
        """The purchase-currency fields of a ``PlanEntry`` whose counterpart stays per stock move, when the
        move comes from a purchase order line in another currency than the company's; ``{}`` otherwise.

        Follows purchase_stock's ``stock.move._generate_valuation_lines_data``: the counterpart (-``delta``,
        and -``expense_amount`` for an expense transfer) converted at the stock move's date; a bill's price
        difference (the entry has the bill's journal item) has no amount in currency, and a zero-balance line
        carries its ``price_diff_value`` instead (positive on the credit account of Odoo's entry: the
        counterpart of an incoming move). Only stock moves and price differences: Odoo posts the other
        origins without a currency.

        :param row: one row of ``_plan_rows``; ``delta``, ``expense_amount`` in company currency
        :return: dict of ``currency_id``, ``amount_currency``, ``expense_amount_currency``,
            ``currency_difference``
        """
        company = self.env["res.company"].browse(row["company_id"])
        if (row["gl_origin"] not in ("move", "price_diff") or not row["purchase_currency_id"]
                or row["purchase_currency_id"] == company.currency_id.id):
            return {}
        purchase_currency = self.env["res.currency"].browse(row["purchase_currency_id"])
        key = ("rate", company.id, purchase_currency.id, row["move_date"])
        if key not in cache:
            cache[key] = company.currency_id._get_conversion_rate(
                company.currency_id, purchase_currency, company, row["move_date"])
        rate = cache[key]
        amounts = {"currency_id": purchase_currency.id,
                   "expense_amount_currency": purchase_currency.round(-expense_amount * rate)}
        if row["bill_line_id"]:
            difference = row["price_diff_value"] if row["has_in"] else -row["price_diff_value"]
            amounts.update(amount_currency=0.0, currency_difference=purchase_currency.round(difference))
        else:
            amounts["amount_currency"] = purchase_currency.round(-delta * rate)
        return amounts

    @api.model
    def _resolve_native_accounts(self, svl, cache):
        """Odoo's own resolution for one SVL: (journal, valuation account, counterpart account, expense
        account (the other side of an expense transfer)).

        Move-based entries use the pieces of ``stock.move._get_accounting_data_for_valuation``
        (``get_product_accounts``, ``_get_src_account``, ``_get_dest_account``, so location accounts and the
        ``mrp_account`` production overrides apply) once per (company, category, source, destination), and
        pick the source or destination account with the move's own ``_is_in`` / ``_is_out`` /
        ``_is_returned`` / ``_is_dropshipped_returned``, exactly as ``stock.move._account_entry_move`` does.
        Entries without a move mirror the native posting of their origin (revaluation wizard account,
        expense account of a price change, landed-cost line account, stock input of a category switch, the
        expense account (continental: stock output) for the sold share of a landed cost).

        Missing accounts or journal come back as False (the caller turns them into skip reasons).
        """
        svl.ensure_one()
        company = svl.company_id
        product = svl.product_id.with_company(company)
        move = svl.stock_move_id or svl.stock_valuation_layer_id.stock_move_id or svl.applies_to_id.stock_move_id
        categ = svl.gl_categ_id or product.categ_id
        accounts = self._product_accounts(product, cache, categ)
        if move and svl.gl_origin in ("move", "price_diff", "landed_cost", "landed_cost_out", "cost_adjustment"):
            key = ("move", company.id, product.id, categ.id, move.location_id.id, move.location_dest_id.id)
            if key not in cache:
                # The pieces of stock.move._get_accounting_data_for_valuation, without its raise on a
                # missing account: a missing account is a skip reason here, and the posting setup may
                # still provide it.
                move_c = move.with_company(company)
                cache[key] = (accounts["stock_journal"].id, move_c._get_src_account(accounts),
                              move_c._get_dest_account(accounts), accounts["stock_valuation"].id)
            journal_id, acc_src, acc_dest, acc_val = cache[key]
            expense = accounts["expense"].id
            if svl.gl_origin == "landed_cost":
                counterpart = svl.gl_counterpart_account_id.id or accounts["stock_input"].id
                journal_id = svl.stock_landed_cost_id.account_journal_id.id or journal_id
            elif svl.gl_origin == "landed_cost_out" or (
                    svl.gl_origin == "cost_adjustment" and svl.document_type not in ("consumption", "output") and (
                    svl.entry_type == "indirect_cost" or (svl.document_type == "sale" and move._is_out()))):
                # Odoo posts the sold share of a landed cost on to the expense account (Anglo-Saxon) or
                # leaves it on stock output (continental): stock_stock_landed_costs._create_account_move_line
                counterpart = (accounts["expense"] if company.anglo_saxon_accounting else accounts["stock_output"]).id
                journal_id = svl.stock_landed_cost_id.account_journal_id.id or journal_id
            elif move._is_in():
                counterpart = acc_dest if move._is_returned("in") else acc_src
            elif move._is_out():
                counterpart = acc_src if move._is_returned("out") else acc_dest
            else:  # dropship or its return: each leg's sign picks the side, as in _account_entry_move
                positive = svl.value > 0 or (not svl.value and svl.quantity >= 0)
                if move._is_dropshipped_returned():
                    counterpart = acc_dest if positive else acc_src
                else:
                    counterpart = acc_src if positive else acc_dest
            return journal_id, acc_val, counterpart, expense
        if svl.gl_origin == "category_switch":  # stock input, or stock output for negative stock (product.py)
            counterpart = accounts.get(svl.gl_counterpart_type or "stock_input")
        elif svl.gl_counterpart_account_id:
            counterpart = svl.gl_counterpart_account_id
        else:
            counterpart = accounts.get("expense")
        return (accounts["stock_journal"].id, accounts["stock_valuation"].id, counterpart.id if counterpart else False,
                accounts["expense"].id)

    @api.model
    def _product_accounts(self, product, cache, categ):
        """Odoo's ``product.template.get_product_accounts`` for ``product`` as if its category were ``categ``
        (the category of the value entry when it was created, ``gl_categ_id``): a new record on the template with
        that category, so product-level accounts still come first."""
        key = ("product", product.env.company.id, product.id, categ.id)
        if key not in cache:
            template = product.product_tmpl_id
            if categ and categ != template.categ_id:
                template = template.new({"categ_id": categ.id}, origin=template)
            # a company without chart of accounts gets False for some of them: empty recordsets instead, so
            # the missing account becomes a skip reason rather than a traceback
            cache[key] = {name: value or self.env["account.journal" if name == "stock_journal" else "account.account"]
                          for name, value in template.get_product_accounts().items()}
        return cache[key]

    @api.model
    def _plan_rows(self, svls):
        """One SQL read of what planning needs for ``svls``, in posting date order: amounts, dimensions, and
        the resolution key (effective stock move, its locations and whether Odoo sees it as in / out from its
        move lines, exactly the inputs of ``stock.move._is_in`` / ``_is_out``)."""
        mls, mld = gl_sql.valued_usage("mls"), gl_sql.valued_usage("mld")
        return self.env.execute_query_dict(SQL("""
            SELECT svl.id, svl.company_id, svl.product_id, COALESCE(svl.gl_categ_id, svl.categ_id) AS categ_id,
                   svl.value, svl.quantity,
                   COALESCE(svl.cost_posted_to_gl, 0) AS posted, svl.posting_date, svl.warehouse_id,
                   svl.location_id, svl.gl_origin, svl.gl_counterpart_type, svl.document_type, svl.entry_type,
                   svl.gl_counterpart_account_id, svl.stock_landed_cost_id, svl.description,
                   COALESCE(svl.gl_expense_amount, 0) AS expense_amount,
                   pp.active AS product_active, aml.analytic_distribution, sm.id AS move_id,
                   sm.location_id AS move_src, sm.location_dest_id AS move_dest, sm.reference,
                   COALESCE(partner.commercial_partner_id, partner.id) AS partner_id,
                   COALESCE(mlx.has_in, FALSE) AS has_in, COALESCE(mlx.has_out, FALSE) AS has_out,
                   %(src_valued)s AS src_valued, %(dest_valued)s AS dest_valued,
                   sm.id IS NOT NULL AND %(matchable)s AS matchable,
                   sm.date AS move_date, pol.currency_id AS purchase_currency_id,
                   svl.account_move_line_id AS bill_line_id, COALESCE(svl.price_diff_value, 0) AS price_diff_value,
                   COALESCE(svl.gl_location_quantity, 0) AS location_quantity, pair.id AS pair_id,
                   pair.warehouse_id AS pair_warehouse_id, pair.location_id AS pair_location_id
              FROM unnest(%(ids)s::int[]) AS q(id)
              JOIN stock_valuation_layer svl ON svl.id = q.id
              JOIN product_product pp ON pp.id = svl.product_id
              %(effective_move)s
              LEFT JOIN stock_picking pk ON pk.id = sm.picking_id
              LEFT JOIN res_partner partner ON partner.id = pk.partner_id
              LEFT JOIN purchase_order_line pol ON pol.id = sm.purchase_line_id
              LEFT JOIN account_move_line aml ON aml.id = svl.account_move_line_id
              LEFT JOIN stock_valuation_layer pair ON pair.id = svl.gl_transfer_pair_id
              -- one look-up of the move's lines per entry (an EXISTS per direction gets planned as a hash of
              -- every stock move line of the database once the batch is large)
              LEFT JOIN LATERAL (
                    SELECT bool_or(NOT %(mls)s AND %(mld)s) AS has_in, bool_or(%(mls)s AND NOT %(mld)s) AS has_out
                      FROM stock_move_line ml
                      JOIN stock_location mls ON mls.id = ml.location_id
                      JOIN stock_location mld ON mld.id = ml.location_dest_id
                     WHERE ml.move_id = sm.id AND ml.owner_id IS NULL) mlx ON TRUE
             ORDER BY svl.posting_date, svl.id""", ids=svls.ids, matchable=gl_sql.matchable_move("sm"),
            src_valued=gl_sql.valued_usage("ls"), dest_valued=gl_sql.valued_usage("ld"), mls=mls, mld=mld,
            effective_move=gl_sql.effective_move_joins()))

    @api.model
    def _account_reconciles(self, account_id, cache):
        """Whether ``account_id`` allows reconciliation (cached in ``cache``)."""
        key = ("reconcile", account_id)
        if key not in cache:
            cache[key] = bool(account_id) and self.env["account.account"].browse(account_id).reconcile
        return cache[key]

    @api.model
    def _check_accounts(self, svl, accounts, journal_id, cache=None):
        """Skip reasons for the resolved accounts (``{account type: account id}``) and journal of ``svl``:
        (code, message) or None. ``cache``: a dict kept across a run, where an account set found valid is not
        checked again (a problem is checked per entry: its message names the entry's product)."""
        key = ("valid_accounts", svl.company_id.id, tuple(sorted(accounts.items())), journal_id)
        if cache is not None and key in cache:
            return None
        problem = self._account_problem(svl, accounts, journal_id)
        if cache is not None and not problem:
            cache[key] = True
        return problem

    @api.model
    def _account_problem(self, svl, accounts, journal_id):
        """The first skip reason of ``_check_accounts``, uncached."""
        Account = self.env["account.account"]
        categ = svl.categ_id.display_name
        if not journal_id:
            return "missing_journal", _("No stock journal for category %(categ)s (product %(product)s).",
                                        categ=categ, product=svl.product_id.display_name)
        for atype, account_id in accounts.items():
            label = self.env["stock.valuation.layer.gl.link"]._account_type_labels()[atype]
            if not account_id:
                return "missing_account", _(
                    "%(type)s account is missing for category %(categ)s (product %(product)s): set it on "
                    "the category or in the posting setup.", type=label, categ=categ,
                    product=svl.product_id.display_name)
            account = Account.browse(account_id)
            if account.deprecated:
                return "deprecated_account", _(
                    "%(type)s account %(account)s is deprecated (category %(categ)s).",
                    type=label, account=account.display_name, categ=categ)
            if svl.company_id not in account.company_ids and not (
                    svl.company_id.parent_ids & account.company_ids):
                return "foreign_account", _(
                    "%(type)s account %(account)s belongs to another company.",
                    type=label, account=account.display_name)
        return None
