package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/bizmcp/bizmcp/shared/money"
	"github.com/bizmcp/bizmcp/shared/port"
	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgconn"
)

const setting = "ORDERS_DATABASE_URL"

// Contract error codes raised by the write functions (class BZ).
const (
	codeNotFound = "BZ404"
	codeConflict = "BZ409"
	codeInvalid  = "BZ400"
)

func pgErr(err error) *pgconn.PgError {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

func pgCode(err error) string {
	if pe := pgErr(err); pe != nil {
		return "SQLSTATE " + pe.Code
	}
	return "connection lost"
}

// retryable reports failures a retry of the same statement can fix.
func retryable(err error) bool {
	if pe := pgErr(err); pe != nil {
		switch pe.Code {
		case pgerrcode.SerializationFailure, pgerrcode.DeadlockDetected,
			// Two first attempts of one key raced to insert it: the retry
			// finds the winner's write and replays it.
			pgerrcode.UniqueViolation,
			pgerrcode.AdminShutdown, pgerrcode.CannotConnectNow:
			return true
		}
		return pgerrcode.IsConnectionException(pe.Code)
	}
	return connectionFailure(err)
}

func connectionFailure(err error) bool {
	var ne net.Error
	var ce *pgconn.ConnectError
	return errors.As(err, &ne) || errors.As(err, &ce) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "connection reset")
}

// classify turns a pgx failure into the port's error kinds. SQL text,
// connection strings and server internals stay in Err (logged), never in
// Message (shown to the model).
func classify(ctx context.Context, op string, err error) *port.Error {
	if pe := port.FromContext(ctx, op); pe != nil {
		pe.Err = err
		return pe
	}
	pe := pgErr(err)
	if pe == nil {
		if connectionFailure(err) {
			return &port.Error{Kind: port.KindUnreachable, Op: op, Err: err}
		}
		return &port.Error{Kind: port.KindUnavailable, Op: op, Err: err}
	}
	e := &port.Error{Op: op, Code: pe.Code, Err: err}
	switch {
	case pe.Code == codeNotFound:
		e.Kind, e.Message = port.KindNotFound, pe.Message
	case pe.Code == codeConflict:
		e.Kind, e.Message, e.Remaining = port.KindConflict, pe.Message, remaining(pe.Detail)
	case pe.Code == codeInvalid:
		e.Kind, e.Message, e.Field = port.KindBadRequest, pe.Message, pe.ColumnName
	case pe.Code == pgerrcode.QueryCanceled:
		e.Kind, e.Message = port.KindTimeout, "the query ran longer than ORDERS_DATABASE_STATEMENT_TIMEOUT"
	case pe.Code == pgerrcode.LockNotAvailable:
		e.Kind, e.Message = port.KindTimeout, "the order is locked by another transaction (waited ORDERS_DATABASE_LOCK_TIMEOUT); nothing was changed"
	case pe.Code == pgerrcode.InvalidPassword || pe.Code == pgerrcode.InvalidAuthorizationSpecification:
		e.Kind, e.Setting = port.KindUnauthorized, setting
	case pe.Code == pgerrcode.InsufficientPrivilege:
		e.Kind, e.Setting = port.KindForbidden, setting
		e.Message = "the database role lacks a privilege on the bizmcp contract (grant it bizmcp_orders_read, and bizmcp_orders_write for writes)"
	case pe.Code == pgerrcode.UndefinedTable || pe.Code == pgerrcode.UndefinedFunction || pe.Code == pgerrcode.UndefinedColumn ||
		pe.Code == pgerrcode.InvalidSchemaName || pe.Code == pgerrcode.InvalidCatalogName:
		e.Kind, e.Setting = port.KindMisconfigured, setting
		e.Message = "the database does not have the bizmcp SQL contract (views and functions in schema bizmcp): run orders-mcp migrate, or map your tables onto it"
	default:
		// Serialization failures and deadlocks after the retries, server
		// shutdown, too many connections, and the rest.
		e.Kind = port.KindUnavailable
	}
	return e
}

// remaining renders a BZ409 DETAIL ("49891 USD") as "USD 498.91 refundable".
func remaining(detail string) string {
	amt, cur, ok := strings.Cut(strings.TrimSpace(detail), " ")
	n, err := strconv.ParseInt(amt, 10, 64)
	if !ok || err != nil || len(cur) != 3 {
		return ""
	}
	return money.Format(n, cur) + " refundable"
}
