#!/usr/bin/env bash
# Starts a real mail system on loopback for the email server's IMAP/SMTP
# backend tests: Dovecot (IMAP, IMAPS, LMTP, SASL auth) and Postfix
# (submission with STARTTLS and SASL via Dovecot, delivering the test domain
# to Dovecot over LMTP), TLS from a CA made here, a test domain and two users.
#
# Installs what is missing (Debian packages), runs both servers in the
# background with every file under $BIZMCP_MAIL_DIR (default
# /tmp/bizmcp-mail), and prints NAME=value lines on stdout:
#   EMAIL_BACKEND, EMAIL_IMAP_URL, EMAIL_IMAP_USERNAME, EMAIL_IMAP_PASSWORD,
#   EMAIL_SMTP_URL, EMAIL_SMTP_USERNAME, EMAIL_SMTP_PASSWORD,
#   EMAIL_TLS_CA_FILE, EMAIL_ALLOWED_RECIPIENT_DOMAINS (user 1's mailbox),
#   EMAIL_TEST_RECIPIENT (user 2's address) and
#   EMAIL_TEST_RECIPIENT_IMAP_URL (imaps://user:password@host:port, for any
#   IMAP client: curl --cacert "$EMAIL_TLS_CA_FILE" "$EMAIL_TEST_RECIPIENT_IMAP_URL/INBOX"),
#   and EMAIL_TEST_IMAP_STARTTLS_URL / EMAIL_TEST_SMTPS_URL (the same servers
#   over the other schemes: IMAP with STARTTLS, SMTP with implicit TLS).
# A second run reuses the running servers and prints the same lines.
# `test/mail/start.sh stop` stops them. Progress goes to stderr.
set -euo pipefail

DIR=${BIZMCP_MAIL_DIR:-/tmp/bizmcp-mail}
DOMAIN=bizmcp.example
USER1=sales@$DOMAIN
USER2=ops@$DOMAIN
log() { echo "mail: $*" >&2; }

stop() {
  [ -f "$DIR/run/master.pid" ] && kill "$(cat "$DIR/run/master.pid")" 2>/dev/null || true
  [ -d "$DIR/postfix" ] && postfix -c "$DIR/postfix" stop >/dev/null 2>&1 || true
}
if [ "${1:-}" = stop ]; then stop; exit 0; fi

# port_open PORT: something accepts connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [ -f "$DIR/env" ]; then
  # shellcheck disable=SC1091
  . "$DIR/ports"
  if port_open "$IMAPS_PORT" && port_open "$SUBMISSION_PORT" && port_open "$LMTP_PORT"; then
    log "reusing the servers under $DIR"
    cat "$DIR/env"
    exit 0
  fi
  log "servers under $DIR are not all running: starting again"
  stop
fi

# --- install -----------------------------------------------------------------
need=()
command -v dovecot >/dev/null 2>&1 || need+=(dovecot-imapd)
[ -x /usr/lib/dovecot/lmtp ] || need+=(dovecot-lmtpd)
command -v postfix >/dev/null 2>&1 || need+=(postfix)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

# --- files -------------------------------------------------------------------
rm -rf "$DIR"
mkdir -p "$DIR"/{run,mail,tls,postfix,queue,data}
cd "$DIR"

# free_port VAR: sets VAR to a TCP port on 127.0.0.1 that nothing listens
# on now and that this script has not handed out already.
picked=" "
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 30000))
    case "$picked" in *" $p "*) continue ;; esac
    if ! port_open "$p"; then picked="$picked$p "; printf -v "$1" %s "$p"; return; fi
  done
  echo "no free port" >&2; exit 1
}
for v in IMAP_PORT IMAPS_PORT LMTP_PORT AUTH_PORT SUBMISSION_PORT SMTPS_PORT; do free_port "$v"; done

log "making a CA and a server certificate for 127.0.0.1 and localhost"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=bizmcp test mail CA" \
  -keyout tls/ca.key -out tls/ca.crt >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout tls/server.key -out tls/server.csr >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >tls/ext.cnf
openssl x509 -req -in tls/server.csr -CA tls/ca.crt -CAkey tls/ca.key -CAcreateserial -days 30 \
  -extfile tls/ext.cnf -out tls/server.crt >/dev/null 2>&1
chmod 644 tls/ca.crt tls/server.crt; chmod 600 tls/server.key tls/ca.key

PASS1=$(openssl rand -hex 12); PASS2=$(openssl rand -hex 12)
{
  echo "$USER1:$(doveadm pw -s SHA512-CRYPT -p "$PASS1")::::::"
  echo "$USER2:$(doveadm pw -s SHA512-CRYPT -p "$PASS2")::::::"
} >users
chmod 640 users; chown root:dovecot users
chown nobody:nogroup mail

cat >dovecot.conf <<EOF
base_dir = $DIR/run
state_dir = $DIR/data
log_path = $DIR/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = required
ssl_cert = <$DIR/tls/server.crt
ssl_key = <$DIR/tls/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
first_valid_uid = 1
mail_uid = nobody
mail_gid = nogroup
mail_location = maildir:$DIR/mail/%d/%n
mail_plugins =
passdb {
  driver = passwd-file
  args = scheme=SHA512-CRYPT username_format=%u $DIR/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$DIR/mail/%d/%n
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
service auth {
  inet_listener {
    address = 127.0.0.1
    port = $AUTH_PORT
  }
}
protocol lmtp {
  postmaster_address = postmaster@$DOMAIN
}
EOF

cat >postfix/main.cf <<EOF
compatibility_level = 3.6
queue_directory = $DIR/queue
data_directory = $DIR/data/postfix
mail_owner = postfix
myhostname = mail.$DOMAIN
mydomain = $DOMAIN
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
maillog_file_prefixes = $DIR
maillog_file = $DIR/postfix.log
virtual_mailbox_domains = $DOMAIN
virtual_transport = lmtp:inet:127.0.0.1:$LMTP_PORT
# Nothing leaves this machine: any other domain bounces.
default_transport = error:the test mail system delivers only to $DOMAIN
relayhost =
smtpd_tls_cert_file = $DIR/tls/server.crt
smtpd_tls_key_file = $DIR/tls/server.key
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:$AUTH_PORT
smtpd_sasl_auth_enable = no
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
biff = no
EOF
cat >postfix/master.cf <<EOF
127.0.0.1:$SUBMISSION_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
127.0.0.1:$SMTPS_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submissions
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
mkdir -p data/postfix && chown postfix data/postfix
touch postfix.log

cat >ports <<EOF
IMAP_PORT=$IMAP_PORT
IMAPS_PORT=$IMAPS_PORT
LMTP_PORT=$LMTP_PORT
AUTH_PORT=$AUTH_PORT
SUBMISSION_PORT=$SUBMISSION_PORT
SMTPS_PORT=$SMTPS_PORT
EOF

# --- start -------------------------------------------------------------------
log "starting dovecot (imaps 127.0.0.1:$IMAPS_PORT, imap+STARTTLS :$IMAP_PORT, lmtp :$LMTP_PORT)"
dovecot -c "$DIR/dovecot.conf"
log "starting postfix (submission+STARTTLS 127.0.0.1:$SUBMISSION_PORT, submissions :$SMTPS_PORT)"
postfix -c "$DIR/postfix" set-permissions >/dev/null 2>&1 || true
postfix -c "$DIR/postfix" check >&2
postfix -c "$DIR/postfix" start >&2

# wait_port PORT: until it accepts connections (polling a readiness
# condition, at most 20 s).
wait_port() {
  for _ in $(seq 1 200); do
    port_open "$1" && return 0
    sleep 0.1
  done
  log "nothing listens on 127.0.0.1:$1; logs:"; tail -n 30 "$DIR"/*.log >&2; exit 1
}
for p in "$IMAPS_PORT" "$IMAP_PORT" "$LMTP_PORT" "$SUBMISSION_PORT" "$SMTPS_PORT"; do wait_port "$p"; done

cat >env <<EOF
EMAIL_BACKEND=imap
EMAIL_IMAP_URL=imaps://127.0.0.1:$IMAPS_PORT
EMAIL_IMAP_USERNAME=$USER1
EMAIL_IMAP_PASSWORD=$PASS1
EMAIL_SMTP_URL=smtp://127.0.0.1:$SUBMISSION_PORT
EMAIL_SMTP_USERNAME=$USER1
EMAIL_SMTP_PASSWORD=$PASS1
EMAIL_TLS_CA_FILE=$DIR/tls/ca.crt
EMAIL_ALLOWED_RECIPIENT_DOMAINS=$DOMAIN
EMAIL_TEST_RECIPIENT=$USER2
EMAIL_TEST_RECIPIENT_IMAP_URL=imaps://$(printf %s "$USER2" | sed 's/@/%40/'):$PASS2@127.0.0.1:$IMAPS_PORT
EMAIL_TEST_IMAP_STARTTLS_URL=imap://127.0.0.1:$IMAP_PORT
EMAIL_TEST_SMTPS_URL=smtps://127.0.0.1:$SMTPS_PORT
EOF
chmod 600 env
log "ready"
cat env
