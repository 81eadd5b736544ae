import logging

from odoo import fields
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Uninstalling drops the module's columns and tables; what they recorded (what is in the general ledger, which
# journal items each value entry fed, what makes an entry an adjustment, the settings) is kept by the uninstall
# hook in tables of their own, which Odoo does not know and so leaves in place, and put back by the next install.
# (short: PostgreSQL cuts names at 63 characters, and the longest kept table name has 50)
KEEP_PREFIX = "gl_kept_"
# the columns the module adds to Odoo's tables
KEPT_COLUMNS = {
    "stock_valuation_layer": [
        "posting_date", "document_type", "entry_type", "location_id", "warehouse_id", "cost_posted_to_gl", "gl_state",
        "gl_excluded", "gl_origin", "gl_counterpart_account_id", "gl_categ_id", "gl_valuation", "gl_counterpart_type",
        "gl_expense_amount", "is_adjustment", "applies_to_id", "gl_cost_source_id", "gl_forward_quantity",
        "gl_location_quantity", "gl_transfer_pair_id", "gl_transfer_move_id"],
    "res_company": [
        "gl_post_cost_from", "gl_interim_accounting", "gl_lock_date_policy", "gl_automatic_cost_adjustment",
        "gl_average_cost_period", "gl_automatic_cost_posting", "gl_scheduled_posting_method"],
    "product_product": ["gl_cost_adjustment_pending"],
    "account_move": ["gl_svl_watermark"],
}
# references that scope a row: a row whose scope was deleted meanwhile is left out rather than widened
KEPT_SCOPES = {"stock_posting_setup": {"warehouse_id", "location_id", "categ_id"}}
# the module's own tables, in an order where a table comes after those it refers to
KEPT_TABLES = [
    "stock_posting_setup",
    "stock_inventory_cost_post_run", "product_product_stock_inventory_cost_post_run_rel",
    "product_category_stock_inventory_cost_post_run_rel", "account_move_stock_inventory_cost_post_run_rel",
    "stock_inventory_cost_post_run_skipped",
    "stock_valuation_layer_gl_link",
    "stock_cost_adjust_run", "stock_cost_adjust_run_stock_valuation_layer_rel",
    "product_product_stock_cost_adjust_run_rel",
]


def _table_exists(cr, table):
    cr.execute(SQL("SELECT to_regclass(%s) IS NOT NULL", table))
    return cr.fetchone()[0]


def _columns(cr, table):
    cr.execute(SQL("SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
                   table))
    return [row[0] for row in cr.fetchall()]


def uninstall_hook(env):
    """Keep the G/L bookkeeping before Odoo drops the module's columns and tables: a copy of each (ids
    included) in a table named ``gl_kept_<table>``, which the next install puts
    back (``post_init_hook``), so that it never posts again what this install posted. Odoo's own data is not
    touched. An administrator who removes the module for good may drop those tables."""
    cr = env.cr
    env.flush_all()
    for table, columns in KEPT_COLUMNS.items():
        existing = set(_columns(cr, table))
        present = [c for c in columns if c in existing]
        if not present:
            continue
        kept = KEEP_PREFIX + table
        cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(kept)))
        cr.execute(SQL("CREATE TABLE %s AS SELECT id, %s FROM %s", SQL.identifier(kept),
                       SQL(", ").join(SQL.identifier(c) for c in present), SQL.identifier(table)))
    for table in KEPT_TABLES:
        if _table_exists(cr, table):
            kept = KEEP_PREFIX + table
            cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(kept)))
            cr.execute(SQL("CREATE TABLE %s AS TABLE %s", SQL.identifier(kept), SQL.identifier(table)))
    _logger.info("G/L bookkeeping kept in the tables %s* for a later install", KEEP_PREFIX)


def _foreign_keys(cr, table):
    """{column: (referenced table, nullable)} of ``table``'s foreign keys."""
    cr.execute(SQL("""
        SELECT a.attname, cl.relname, NOT a.attnotnull
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
          JOIN pg_class cl ON cl.oid = c.confrelid
         WHERE c.contype = 'f' AND c.conrelid = %s::regclass""", table))
    return {column: (referenced, nullable) for column, referenced, nullable in cr.fetchall()}


def _restored_value(table, column, foreign):
    """(SQL value, SQL condition or None) restoring ``column`` of ``table`` from the kept row ``k``: a reference to
    a row deleted meanwhile is emptied when the column may be empty, else (or when it scopes the row,
    ``KEPT_SCOPES``) the row is left out."""
    ident = SQL.identifier(column)
    if column not in foreign:
        return SQL("k.%s", ident), None
    referenced, nullable = foreign[column]
    exists = SQL("EXISTS (SELECT 1 FROM %s r WHERE r.id = k.%s)", SQL.identifier(referenced), ident)
    if column in KEPT_SCOPES.get(table, ()):
        return SQL("k.%s", ident), SQL("(k.%s IS NULL OR %s)", ident, exists)
    if nullable:
        return SQL("CASE WHEN %s THEN k.%s END", exists, ident), None
    return SQL("k.%s", ident), exists


def _restore_kept(env):
    """Put back what ``uninstall_hook`` kept (nothing when it kept nothing): the module's columns on the rows
    still there, and the rows of its tables (see ``_restored_value`` for references to rows deleted meanwhile).
    The kept tables are dropped afterwards."""
    cr = env.cr
    restored = False
    for table in [*KEPT_COLUMNS, *KEPT_TABLES]:
        kept = KEEP_PREFIX + table
        if not _table_exists(cr, kept):
            continue
        restored = True
        if _table_exists(cr, table):
            existing = set(_columns(cr, table))
            foreign = _foreign_keys(cr, table)
            own_table = table in KEPT_TABLES
            columns = [c for c in _columns(cr, kept) if c in existing and (own_table or c != "id")]
            restored_values = [_restored_value(table, c, foreign) for c in columns]
            values = [value for value, _condition in restored_values]
            conditions = [condition for _value, condition in restored_values if condition] or [SQL("TRUE")]
            if own_table:
                cr.execute(SQL("INSERT INTO %s (%s) SELECT %s FROM %s k WHERE %s ON CONFLICT DO NOTHING",
                               SQL.identifier(table), SQL(", ").join(SQL.identifier(c) for c in columns),
                               SQL(", ").join(values), SQL.identifier(kept), SQL(" AND ").join(conditions)))
                if "id" in columns:
                    cr.execute(SQL("SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST(MAX(id), 1)) FROM %s",
                                   table, SQL.identifier(table)))
            elif columns:  # the module's columns on Odoo's rows (all optional: a deleted reference is emptied)
                cr.execute(SQL("UPDATE %s t SET %s FROM %s k WHERE k.id = t.id", SQL.identifier(table),
                               SQL(", ").join(SQL("%s = %s", SQL.identifier(c), value)
                                              for c, value in zip(columns, values, strict=False)),
                               SQL.identifier(kept)))
        cr.execute(SQL("DROP TABLE %s", SQL.identifier(kept)))
    if restored:
        # the journal items a restored link points at are fed by value entries
        cr.execute(SQL("""UPDATE account_move_line aml SET gl_linked = TRUE
                            FROM stock_valuation_layer_gl_link l WHERE l.move_line_id = aml.id"""))
        env.invalidate_all()
        _logger.info("G/L bookkeeping of an earlier install restored")
    return restored


def post_init_hook(env):
    """Back-fill the value-entry fields of every existing SVL with set-based SQL and link the journal
    entries Odoo's real-time valuation already posted. Manual-valuation history is not posted: each
    company's "Post inventory cost from" date defaults to the install date, so older entries are
    'not to post'. Asks nothing. Set-based: per company, one UPDATE for the fields, one INSERT ... SELECT
    for the links and one UPDATE for the status (timings at scale: bench/README.md). The
    value-entry applications are rebuilt by replaying Odoo's FIFO order (set-based, see
    ``stock.valuation.layer.application._gl_rebuild``). The opening location values, dated the day before the
    install and not posted, put the value of each product where its quants are
    (``stock.cost.adjust.engine._record_opening_places``).

    Installed again after an uninstall, it first puts back what the uninstall kept (``uninstall_hook``): the
    watermarks, links, posting runs, adjustment entries' origin and dates, and the settings, so that nothing an
    earlier install posted is posted again."""
    today = fields.Date.context_today(env["res.company"])
    env["stock.valuation.layer"]._gl_set_session("batch")  # set-based statements over every SVL
    _restore_kept(env)
    env.cr.execute(SQL("UPDATE res_company SET gl_post_cost_from = %s WHERE gl_post_cost_from IS NULL", today))
    env["res.company"].invalidate_model(["gl_post_cost_from"])
    SVL = env["stock.valuation.layer"]
    SVL._gl_fill_value_entry_fields(all_records=True)
    linked = SVL._gl_sync_native_postings()  # also flags the journal items it links (gl_linked)
    # which receipt each delivery consumed, replayed from Odoo's FIFO order (cost adjustment reads it)
    env["stock.valuation.layer.application"]._gl_rebuild()
    # where the value of each product sits today, from its quants (opening location values, not posted)
    opening = fields.Date.subtract(today, days=1)
    for company in env["res.company"].sudo().search([]):
        env["stock.cost.adjust.engine"].sudo()._record_opening_places(company, opening)
    env.cr.execute(SQL("SELECT gl_state, count(*) FROM stock_valuation_layer GROUP BY gl_state"))
    _logger.info("Value entries back-filled: %s; %s linked to existing journal entries",
                 dict(env.cr.fetchall()), len(linked))
