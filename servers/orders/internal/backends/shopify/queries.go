package shopify

import "github.com/bizmcp/bizmcp/servers/orders/internal/backends/shopify/wire"

// GraphQL documents, asking only for the fields the tools use (the cost of
// a query is the sum of the objects it may return; see README). Page sizes
// keep every document well under Shopify's 1,000-point single-query limit.

const moneyFields = `shopMoney { amount currencyCode }`

// summaryFields is an order as a search lists it.
const summaryFields = `
  id name email createdAt processedAt cancelledAt
  displayFinancialStatus displayFulfillmentStatus currencyCode presentmentCurrencyCode tags
  subtotalLineItemsQuantity
  totalPriceSet { ` + moneyFields + ` }
  totalReceivedSet { ` + moneyFields + ` }
  totalRefundedSet { ` + moneyFields + ` }
  shippingAddress { name city provinceCode countryCodeV2 }
  shippingLine { title }
  fulfillments(first: 5) {
    createdAt inTransitAt deliveredAt estimatedDeliveryAt displayStatus status
    trackingInfo(first: 1) { company number url }
  }`

// fullFields is the whole order as orders_get_order shows it; $items
// lines.
const fullFields = summaryFields + `
  note cancelReason
  cancellation { staffNote }
  currentSubtotalPriceSet { ` + moneyFields + ` }
  totalShippingPriceSet { ` + moneyFields + ` }
  totalTaxSet { ` + moneyFields + ` }
  totalDiscountsSet { ` + moneyFields + ` }
  shippingAddress { name company address1 address2 city provinceCode zip countryCodeV2 }
  refunds(first: 30) { id createdAt note totalRefundedSet { ` + moneyFields + ` } }
  lineItems(first: $items) { pageInfo { hasNextPage endCursor } nodes { ` + lineFields + ` } }`

const lineFields = `id sku name quantity
  originalUnitPriceSet { ` + moneyFields + ` }
  originalTotalSet { ` + moneyFields + ` }
  customAttributes { key value }`

const (
	orderByIDDoc = `query OrderByID($id: ID!, $items: Int!) { order(id: $id) {` + fullFields + `} }`
	// Names are found through the search index ($q is name:'#1001').
	orderByNameDoc = `query OrderByName($q: String!, $items: Int!) { orders(first: 1, query: $q) { nodes {` + fullFields + `} } }`

	searchDoc = `query Search($first: Int!, $q: String, $after: String) {
  orders(first: $first, after: $after, query: $q, sortKey: ID, reverse: true) {
    pageInfo { hasNextPage endCursor }
    nodes {` + summaryFields + `}
  }
}`
	searchCountDoc = `query SearchCount($first: Int!, $q: String, $countQ: String) {
  orders(first: $first, query: $q, sortKey: ID, reverse: true) {
    pageInfo { hasNextPage endCursor }
    nodes {` + summaryFields + `}
  }
  ordersCount(query: $countQ, limit: 10000) { count precision }
}`

	linesDoc = `query Lines($id: ID!, $first: Int!, $after: String) {
  order(id: $id) { lineItems(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { ` + lineFields + ` } } }
}`
	// lineCountDoc pages through line ids only (cheap) to count them.
	lineCountDoc = `query LineCount($id: ID!, $after: String) {
  order(id: $id) { lineItems(first: 250, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } } }
}`

	// refundContextDoc is what a refund needs: totals, refunds so far (to
	// find an earlier refund under the same key) and the payments to
	// refund against.
	refundContextDoc = `query RefundContext($id: ID!) {
  order(id: $id) {` + summaryFields + `
    refunds(first: 50) { id createdAt note totalRefundedSet { ` + moneyFields + ` } }
    transactions(first: 50) { id kind status gateway amountSet { ` + moneyFields + ` } parentTransaction { id } }
  }
}`

	refundCreateDoc = `mutation RefundCreate($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    refund { id createdAt note totalRefundedSet { ` + moneyFields + ` } }
    order {` + summaryFields + `}
    userErrors { field message }
  }
}`

	orderCancelDoc = `mutation OrderCancel($orderId: ID!, $reason: OrderCancelReason!, $staffNote: String, $refundMethod: OrderCancelRefundMethodInput!) {
  orderCancel(orderId: $orderId, reason: $reason, refundMethod: $refundMethod, restock: true, notifyCustomer: false, staffNote: $staffNote) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}`

	jobDoc = `query Job($id: ID!) { job(id: $id) { id done } }`
)

// ---- wire types (package wire) ----

type (
	moneyBag        = wire.MoneyBag
	pageInfo        = wire.PageInfo
	wireFulfillment = wire.Fulfillment
	wireLine        = wire.LineItem
	lineConnection  = wire.LineItemConnection
	wireRefund      = wire.Refund
	wireTransaction = wire.Transaction
	wireOrder       = wire.Order
)
