"""The module's SQL vocabulary: the fragments its set-based statements share, as ``odoo.tools.SQL``.

Each fragment is written once here and composed by the statements of the value entries
(``stock_valuation_layer.py``), the posting planner, the cost adjustment and the reports. Aliases are
passed as plain names and quoted with ``SQL.identifier``; values always travel as parameters, so every
statement built from these pieces keeps ``odoo.tools.SQL``'s guarantee (nothing user-controlled is ever
formatted into the query text). No ORM here.
"""
import zlib

from odoo.tools import SQL

from . import posting_plan


def valued_usage(location):
    """Truth value: the location ``location`` (alias of ``stock_location``) holds valued stock: internal, or
    a transit location of a company (inter-company transit is not valued), as ``stock.location._should_be_valued``."""
    loc = SQL.identifier(location)
    return SQL("(%(l)s.usage = 'internal' OR (%(l)s.usage = 'transit' AND %(l)s.company_id IS NOT NULL))", l=loc)


def dropship(move="sm", source="ls", destination="ld"):
    """Truth value: the stock move ``move`` is a dropship leg (neither of its locations ``source`` and
    ``destination`` is valued: the goods never enter stock)."""
    return SQL("(%s.id IS NOT NULL AND NOT %s AND NOT %s)",
               SQL.identifier(move), valued_usage(source), valued_usage(destination))


def effective_move_joins(svl="svl", applied=True):
    """LEFT JOINs giving a value entry ``svl`` its *effective stock move* ``sm`` and that move's locations
    ``ls`` (source) and ``ld`` (destination): its own stock move, else that of the entry it corrects
    (``parent``: landed costs, price differences, vacuum corrections), else, with ``applied``, that of the
    outbound entry it adjusts (``applied``: cost adjustments)."""
    alias = SQL.identifier(svl)
    move = SQL("COALESCE(%s.stock_move_id, parent.stock_move_id, applied.stock_move_id)", alias) if applied else \
        SQL("COALESCE(%s.stock_move_id, parent.stock_move_id)", alias)
    return SQL("""
              LEFT JOIN stock_valuation_layer parent ON parent.id = %(svl)s.stock_valuation_layer_id
              %(applied)s
              LEFT JOIN stock_move sm ON sm.id = %(move)s
              LEFT JOIN stock_location ls ON ls.id = sm.location_id
              LEFT JOIN stock_location ld ON ld.id = sm.location_dest_id""",
               svl=alias, move=move,
               applied=SQL("LEFT JOIN stock_valuation_layer applied ON applied.id = %s.applies_to_id", alias)
               if applied else SQL())


def product_category_join(svl="svl"):
    """JOINs giving a value entry ``svl`` its product ``pp``, template ``pt`` and *value entry category*
    ``pc``: the category recorded when the entry was created (``gl_categ_id``), else the product's."""
    return SQL("""
              JOIN product_product pp ON pp.id = %(svl)s.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
              LEFT JOIN product_category pc ON pc.id = COALESCE(%(svl)s.gl_categ_id, pt.categ_id)""",
               svl=SQL.identifier(svl))


def matchable_move(move):
    """Truth value: the stock move ``move`` has journal items Odoo's interim reconciliation can match (an
    order line, whose bills or invoices it is matched with, or a return relation)."""
    return SQL("""(%(m)s.purchase_line_id IS NOT NULL OR %(m)s.sale_line_id IS NOT NULL
                   OR %(m)s.origin_returned_move_id IS NOT NULL
                   OR EXISTS (SELECT 1 FROM stock_move r WHERE r.origin_returned_move_id = %(m)s.id))""",
               m=SQL.identifier(move))


def gl_state(value, posted, excluded, decimals):
    """CASE giving ``gl_state`` (SQL expressions ``value``, ``posted`` = cost posted to G/L, ``excluded``,
    ``decimals`` of the company currency): the delta and the posted amount are compared after rounding."""
    delta = SQL("ROUND(%s - %s, %s)", value, posted, decimals)
    posted = SQL("ROUND(%s, %s)", posted, decimals)
    return SQL("""CASE WHEN %(delta)s = 0 AND %(posted)s != 0 THEN 'posted'
                       WHEN %(excluded)s OR %(delta)s = 0 THEN 'not_to_post'
                       WHEN %(posted)s != 0 THEN 'partial'
                       ELSE 'to_post' END""", delta=delta, posted=posted, excluded=excluded)


def counterpart_account_type(document_type, entry_type, origin, recorded=None):
    """``posting_plan.counterpart_account_type`` as a SQL ``CASE`` over the SQL expressions of the value entry's
    document type, entry type and origin, read from the same ``posting_plan.COUNTERPART_RULES``; with
    ``recorded`` (the type recorded when the entry was created, e.g. a category change's stock input or stock
    output), that type when set."""
    whens = []
    for entry_types, origins, document_types, account_type in posting_plan.COUNTERPART_RULES:
        conds = [SQL("%s IN %s", expr, tuple(values)) for expr, values in (
            (entry_type, entry_types), (origin, origins), (document_type, document_types)) if values]
        whens.append(SQL("WHEN %s THEN %s", SQL(" AND ").join(conds) if conds else SQL("TRUE"), account_type))
    matrix = SQL("(CASE %s END)", SQL(" ").join(whens))
    return SQL("COALESCE(%s, %s)", recorded, matrix) if recorded is not None else matrix


def lock_namespace(job):
    """The advisory-lock namespace of one of the module's jobs (``"post"``, ``"adjust"``): a stable int4."""
    return zlib.crc32(("stock_account_gl_reconciliation.%s" % job).encode()) & 0x7FFFFFFF


def advisory_xact_lock(namespace, key, wait=False):
    """The statement taking the transaction-level advisory lock (``namespace``, ``key``): waits for it with
    ``wait``, else returns one row whose only column says whether the lock was free."""
    function = SQL("pg_advisory_xact_lock") if wait else SQL("pg_try_advisory_xact_lock")
    return SQL("SELECT %s(%s, %s)", function, namespace, key)
