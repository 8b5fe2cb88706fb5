#!/bin/sh
# GET / (httpd runs this for a directory without index.html). No status line: httpd sends 200 OK.
printf 'Content-Type: text/plain\r\n\r\n'
printf 'hello from %s\n' "${MESOS_TASK_ID:-an unknown task}"
