{{- define "reconciler.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "reconciler.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "reconciler.selectorLabels" -}}
app.kubernetes.io/name: {{ include "reconciler.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "reconciler.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "reconciler.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "reconciler.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "reconciler.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "reconciler.leaseName" -}}
{{- default (include "reconciler.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{/*
sharedShards is "true" when the replicas share shards (shards.count > 1 with no shards.id): through
Leases with leader election, else through git lease refs, which gitLease "none" turns off.
*/}}
{{- define "reconciler.sharedShards" -}}
{{- if and (gt (int .Values.shards.count) 1) (lt (int .Values.shards.id) 0) -}}
{{- if and (not .Values.leaderElection.enabled) (eq .Values.gitLease "none") -}}
{{- fail "shards.count > 1 without shards.id shares the shards through leases: enable leaderElection or leave gitLease on, or set shards.id" -}}
{{- end -}}
true
{{- end -}}
{{- end }}
