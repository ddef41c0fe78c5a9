{{/* Validates the values once; every template includes it. */}}
{{- define "bizmcp.validate" -}}
{{- /* Any folder under servers/ of the repository is a server: the chart
       does not list them, it checks the name's shape (values.schema.json
       does too) and runs the image bizmcp/<server>. */ -}}
{{- if not (regexMatch "^[a-z][a-z0-9-]{0,30}$" (toString .Values.server)) -}}
{{- fail (printf "server must name a server folder of the repository (crm, orders, email, shipping, ...), not %q" .Values.server) -}}
{{- end -}}
{{- $grace := int .Values.shutdownGraceSeconds -}}
{{- if lt $grace 1 -}}
{{- fail "shutdownGraceSeconds must be at least 1" -}}
{{- end -}}
{{- if le (int (include "bizmcp.terminationGrace" .)) (add $grace (int .Values.preStopSleepSeconds)) -}}
{{- fail (printf "terminationGracePeriodSeconds (%s) must be larger than preStopSleepSeconds + shutdownGraceSeconds (%d): Kubernetes kills the container when it runs out, cutting off in-flight calls" (include "bizmcp.terminationGrace" .) (add $grace (int .Values.preStopSleepSeconds))) -}}
{{- end -}}
{{- if and .Values.podDisruptionBudget.enabled (eq (toString .Values.podDisruptionBudget.maxUnavailable) "") (eq (toString .Values.podDisruptionBudget.minAvailable) "") -}}
{{- fail "podDisruptionBudget: set maxUnavailable or minAvailable" -}}
{{- end -}}
{{- if and .Values.podDisruptionBudget.enabled (ne (toString .Values.podDisruptionBudget.maxUnavailable) "") (ne (toString .Values.podDisruptionBudget.minAvailable) "") -}}
{{- fail "podDisruptionBudget: set only one of maxUnavailable and minAvailable" -}}
{{- end -}}
{{- if and .Values.autoscaling.enabled (not (dig "requests" "cpu" "" .Values.resources)) -}}
{{- fail "autoscaling on CPU needs resources.requests.cpu" -}}
{{- end -}}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) -}}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" -}}
{{- end -}}
{{- end -}}

{{- define "bizmcp.terminationGrace" -}}
{{- if ne (toString .Values.terminationGracePeriodSeconds) "" -}}
{{- int .Values.terminationGracePeriodSeconds -}}
{{- else -}}
{{- add (int .Values.shutdownGraceSeconds) (int .Values.preStopSleepSeconds) 10 -}}
{{- end -}}
{{- end -}}

{{- define "bizmcp.name" -}}
{{- default (printf "bizmcp-%s" .Values.server) .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-<server>, or the release name when it already names the server. */}}
{{- define "bizmcp.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains .Values.server .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Values.server | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "bizmcp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bizmcp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "bizmcp.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "bizmcp.selectorLabels" . }}
app.kubernetes.io/version: {{ include "bizmcp.tag" . | trunc 63 | quote }}
app.kubernetes.io/component: mcp-server
app.kubernetes.io/part-of: bizmcp
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "bizmcp.tag" -}}
{{- default .Chart.AppVersion .Values.image.tag -}}
{{- end -}}

{{- define "bizmcp.image" -}}
{{- $repo := default (printf "bizmcp/%s" .Values.server) .Values.image.repository -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repo .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (include "bizmcp.tag" .) -}}
{{- end -}}
{{- end -}}

{{/* Environment prefix of the server's backend settings: CRM_, ORDERS_, ... */}}
{{- define "bizmcp.prefix" -}}
{{- printf "%s_" (upper .Values.server) -}}
{{- end -}}

{{- define "bizmcp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "bizmcp.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}
