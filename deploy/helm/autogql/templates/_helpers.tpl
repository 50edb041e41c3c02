{{/* Names, labels and the pieces the Deployment, the migration Job and the backup CronJob share. */}}

{{- define "autogql.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "autogql.fullname" -}}
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

{{- define "autogql.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "autogql.selectorLabels" -}}
app.kubernetes.io/name: {{ include "autogql.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "autogql.labels" -}}
helm.sh/chart: {{ include "autogql.chart" . }}
{{ include "autogql.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: autogql
{{- end }}

{{- define "autogql.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "autogql.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "autogql.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "autogql.modelsConfigMap" -}}
{{- if .Values.models.existingConfigMap }}
{{- .Values.models.existingConfigMap }}
{{- else if .Values.models.inline }}
{{- printf "%s-config" (include "autogql.fullname" .) }}
{{- end }}
{{- end }}

{{/* Environment of every autogql container: settings, then secret references. */}}
{{- define "autogql.env" -}}
- name: AUTOGQL_ENV
  value: {{ .Values.environment | quote }}
- name: AUTOGQL_ADDR
  value: {{ printf ":%d" (int .Values.containerPort) | quote }}
{{- if include "autogql.modelsConfigMap" . }}
- name: AUTOGQL_MODELS
  value: /etc/autogql/models/models.yaml
{{- end }}
{{- if .Values.config }}
- name: AUTOGQL_CONFIG
  value: /etc/autogql/config/autogql.yaml
{{- end }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ required "secrets.existingSecret is required" .Values.secrets.existingSecret }}
      key: {{ .Values.secrets.databaseURLKey }}
- name: AUTOGQL_JWT_SECRET_FILE
  value: /etc/autogql/secrets/jwt-secret
{{- if .Values.redis.enabled }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.secrets.existingSecret }}
      key: {{ .Values.secrets.redisURLKey }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Volumes of every autogql pod; the root filesystem is read-only. */}}
{{- define "autogql.volumes" -}}
- name: tmp
  emptyDir:
    medium: Memory
    sizeLimit: 64Mi
- name: data
  emptyDir:
    sizeLimit: 1Gi
- name: jwt-secret
  secret:
    secretName: {{ .Values.secrets.existingSecret }}
    defaultMode: 0440
    items:
      - key: {{ .Values.secrets.jwtSecretKey }}
        path: jwt-secret
{{- with include "autogql.modelsConfigMap" . }}
- name: models
  configMap:
    name: {{ . }}
    items:
      - key: models.yaml
        path: models.yaml
{{- end }}
{{- if .Values.config }}
- name: config
  configMap:
    name: {{ include "autogql.fullname" . }}-config
    items:
      - key: autogql.yaml
        path: autogql.yaml
{{- end }}
{{- end }}

{{- define "autogql.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /data
- name: jwt-secret
  mountPath: /etc/autogql/secrets
  readOnly: true
{{- if include "autogql.modelsConfigMap" . }}
- name: models
  mountPath: /etc/autogql/models
  readOnly: true
{{- end }}
{{- if .Values.config }}
- name: config
  mountPath: /etc/autogql/config
  readOnly: true
{{- end }}
{{- end }}
