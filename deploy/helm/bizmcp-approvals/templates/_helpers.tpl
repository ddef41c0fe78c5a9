{{- define "approvals.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains "approvals" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-approvals" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "approvals.selectorLabels" -}}
app.kubernetes.io/name: {{ default "bizmcp-approvals" .Values.nameOverride }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "approvals.labels" -}}
{{ include "approvals.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "approvals.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end -}}
{{- end -}}

{{/* Fails the render on missing or contradictory values. */}}
{{- define "approvals.validate" -}}
{{- if not (hasPrefix "https://" .Values.publicURL) -}}
{{- fail "publicURL must be the console's https URL (its /callback is the OIDC redirect URI)" -}}
{{- end -}}
{{- if or (not .Values.oidc.issuer) (not .Values.oidc.clientID) -}}
{{- fail "oidc.issuer and oidc.clientID are required" -}}
{{- end -}}
{{- if eq (empty .Values.store.redisURL) (empty .Values.store.apiURL) -}}
{{- fail "set exactly one of store.redisURL and store.apiURL" -}}
{{- end -}}
{{- if not .Values.secretName -}}
{{- fail "secretName is required: a Secret with BIZMCP_APPROVALS_SESSION_KEY and MCP_APPROVAL_SECRET (or BIZMCP_APPROVALS_API_TOKEN)" -}}
{{- end -}}
{{- if not .Values.rules -}}
{{- fail "rules is required (BIZMCP_APPROVALS_RULES)" -}}
{{- end -}}
{{- end -}}
