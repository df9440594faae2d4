{{/* The release's name for its objects: "netfence" when the release is called so, else "<release>-netfence". */}}
{{- define "netfence.fullname" -}}
{{- if contains "netfence" .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-netfence" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "netfence.webhookName" -}}
{{- printf "%s-webhook" (include "netfence.fullname" .) -}}
{{- end -}}

{{- define "netfence.selectorLabels" -}}
app.kubernetes.io/name: netfence
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: webhook
{{- end -}}

{{- define "netfence.labels" -}}
{{ include "netfence.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The Secret holding tls.crt and tls.key. */}}
{{- define "netfence.tlsSecret" -}}
{{- if eq .Values.certificates.source "secret" -}}
{{- required "certificates.secret.name: the Secret with tls.crt and tls.key (certificates.source is secret)" .Values.certificates.secret.name -}}
{{- else -}}
{{- printf "%s-tls" (include "netfence.webhookName" .) -}}
{{- end -}}
{{- end -}}

{{/* The Service's DNS name: what the certificate must name and the API server calls. */}}
{{- define "netfence.serviceHost" -}}
{{- printf "%s.%s.svc" (include "netfence.webhookName" .) .Release.Namespace -}}
{{- end -}}

{{- define "netfence.checkValues" -}}
{{- if not (has .Values.mode (list "deny" "warn" "audit")) -}}
{{- fail (printf "mode: expected deny, warn or audit, got %q" .Values.mode) -}}
{{- end -}}
{{- if not (has .Values.webhook.failurePolicy (list "Ignore" "Fail")) -}}
{{- fail (printf "webhook.failurePolicy: expected Ignore or Fail, got %q" .Values.webhook.failurePolicy) -}}
{{- end -}}
{{- if or (lt (int .Values.webhook.timeoutSeconds) 1) (gt (int .Values.webhook.timeoutSeconds) 30) -}}
{{- fail (printf "webhook.timeoutSeconds: the API server accepts 1 to 30, got %v" .Values.webhook.timeoutSeconds) -}}
{{- end -}}
{{- if not (has .Values.certificates.source (list "helm" "cert-manager" "secret")) -}}
{{- fail (printf "certificates.source: expected helm, cert-manager or secret, got %q" .Values.certificates.source) -}}
{{- end -}}
{{- end -}}

{{- define "netfence.controllerName" -}}
{{- printf "%s-controller" (include "netfence.fullname" .) -}}
{{- end -}}

{{- define "netfence.controllerSelectorLabels" -}}
app.kubernetes.io/name: netfence
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end -}}

{{- define "netfence.controllerLabels" -}}
{{ include "netfence.controllerSelectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The rules both read: the lint configuration (netfence.yaml) and the reachability specs (spec-<name>). */}}
{{- define "netfence.rulesData" -}}
netfence.yaml: |
  {{- if .Values.lint.rules }}
  rules:
    {{- toYaml .Values.lint.rules | nindent 4 }}
  {{- else }}
  rules: {}
  {{- end }}
  {{- with .Values.lint.excludeNamespaces }}
  excludeNamespaces:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- range $name, $text := .Values.assertions }}
{{- if not (regexMatch "^[A-Za-z0-9][A-Za-z0-9._-]*\\.ya?ml$" $name) }}
{{- fail (printf "assertions: %q is not a file name ending in .yaml" $name) }}
{{- end }}
spec-{{ $name }}: |
  {{- $text | nindent 2 }}
{{- end }}
{{- end -}}
