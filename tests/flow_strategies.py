"""Hypothesis strategies generating ``flows.Flow`` objects (the parity harness's generator).

Flows start with a purchase (most operations need stock) and then draw 1 to 7 more steps among every
operation kind of ``flows.STEP_TYPES``; quantities stay small so negative stock, partial returns and fully
consumed receipts are frequent. Rare settings (lots, other UoM, foreign currency, multi-step routes,
continental accounting) are drawn with lower weights so that most flows stay simple enough to shrink well.
"""
from hypothesis import strategies as st

from . import flows as f


def rarely(value, default, weight=4):
    """``default`` ``weight`` times as often as ``value``."""
    return st.sampled_from([default] * weight + [value])


qty = st.integers(min_value=1, max_value=8)
index = st.integers(min_value=0, max_value=3)
product = st.sampled_from([0, 0, 1])
price = st.sampled_from([8.0, 10.0, 12.0, 13.5])

buy = st.builds(f.Buy, product=product, qty=qty, price=price,
                receive=st.one_of(st.none(), st.none(), st.integers(min_value=0, max_value=7)),
                dozen=rarely(True, False, 6), foreign=rarely(True, False, 6), lots=st.sampled_from([1, 1, 2]))
STEPS = {
    "purchase": buy,
    "receipt_backorder": st.builds(f.Receive, po=index),
    "bill": st.builds(f.Bill, po=index, price_delta=st.sampled_from([0.0, 0.0, 2.0, -1.5])),
    "sale": st.builds(f.Sell, product=product, qty=qty,
                      deliver=st.one_of(st.none(), st.none(), st.integers(min_value=0, max_value=7)),
                      invoice_first=rarely(True, False, 3)),
    "delivery_backorder": st.builds(f.Deliver, so=index),
    "invoice": st.builds(f.Invoice, so=index),
    "credit_note": st.builds(f.CreditNote, invoice=index, share=st.sampled_from([1.0, 0.5])),
    "customer_return": st.builds(f.ReturnDelivery, delivery=index, qty=st.integers(min_value=1, max_value=4)),
    "vendor_return": st.builds(f.ReturnReceipt, receipt=index, qty=st.integers(min_value=1, max_value=4),
                               credit=st.booleans()),
    "landed_cost": st.builds(f.LandedCost, receipts=st.lists(index, min_size=1, max_size=2).map(tuple),
                             amount=st.sampled_from([10.0, 6.0, 7.33])),
    "count": st.builds(f.Count, product=product, delta=st.sampled_from([-2, -1, 1, 3])),
    "scrap": st.builds(f.Scrap, product=product, qty=st.integers(min_value=1, max_value=2)),
    "revaluation": st.builds(f.Revalue, product=product, amount=st.sampled_from([5.0, -3.0, 2.71])),
    "standard_price": st.builds(f.SetCost, product=product, price=st.sampled_from([12.0, 9.0])),
    "category_switch": st.builds(f.Switch, product=product),
    "internal": st.builds(f.Internal, product=product, qty=st.integers(min_value=1, max_value=3)),
    "period_close": st.just(f.Close()),
}
# how often each kind is drawn, relative to the others: the documents most flows are made of come first
WEIGHTS = {"sale": 4, "invoice": 3, "bill": 3, "purchase": 2, "landed_cost": 2}
step = st.one_of([strategy for kind, strategy in STEPS.items() for _i in range(WEIGHTS.get(kind, 1))])
# manufacturing (``flows.MRP_STEP_TYPES``, where mrp_account is installed): drawn beside the other steps
MRP_STEPS = {
    "manufacture": st.builds(f.Manufacture, product=product, qty=st.integers(min_value=1, max_value=4),
                             byproduct=rarely(20, 0, 3), scrap=rarely(1, 0, 4)),
    "unbuild": st.builds(f.Unbuild, mo=index, qty=st.integers(min_value=1, max_value=2)),
}
component_buy = st.builds(f.Buy, product=st.just(1), qty=st.integers(min_value=3, max_value=8), price=price)
mrp_step = st.one_of([MRP_STEPS["manufacture"]] * 2 + [MRP_STEPS["unbuild"]] + [step] * 2)


@st.composite
def flows(draw, max_steps=8, manufacturing=False):
    """A ``flows.Flow``: settings first, then a purchase and up to ``max_steps - 1`` more steps; with
    ``manufacturing``, two or three products and manufacturing orders and unbuilds among the steps."""
    tracking = draw(rarely("lot", "none", 5))
    multi = draw(rarely(True, False, 8))
    cost_method = draw(st.sampled_from(["fifo", "average", "standard"]))
    switch_to = draw(st.sampled_from(["manual_periodic", "real_time"]))
    # a switch to automated valuation empties and refills the stock; for the native run (automated on both
    # sides) to do the same, the other category must have another cost method
    others = [m for m in ("fifo", "average", "standard") if m != cost_method]
    switch_cost_method = draw(st.sampled_from(others if switch_to == "real_time" else [None, None] + others))
    return f.Flow(
        cost_method=cost_method,
        switch_to=switch_to,
        switch_cost_method=switch_cost_method,
        tracking=tracking,
        lot_valuated=tracking == "lot" and draw(st.booleans()),
        anglo_saxon=draw(rarely(False, True, 6)),
        invoice_policy=draw(st.sampled_from(["order", "delivery"])),
        purchase_method=draw(rarely("purchase", "receive", 4)),
        steps_in=draw(st.sampled_from([2, 3])) if multi else 1,
        steps_out=2 if multi and draw(st.booleans()) else 1,
        posting_method=draw(st.sampled_from(["per_posting_group", "per_entry"])),
        products=draw(st.sampled_from([2, 2, 3] if manufacturing else [1, 1, 2])),
        # manufacturing flows buy components first: product 1 is the component of product 0
        steps=tuple(([draw(component_buy)] if manufacturing else []) + [draw(buy)] + draw(st.lists(
            mrp_step if manufacturing else step, min_size=2, max_size=max_steps - 1))),
    )
