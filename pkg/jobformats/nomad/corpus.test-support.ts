// The test corpus: job files in the shapes of Nomad's documentation examples (job specification pages and
// `nomad job init`), each with the fields Drover must refuse. A refusal names its path and a snippet of the
// source that starts where the refused field starts (the test finds the snippet by plain text search).

/** One corpus job file. */
export interface CorpusCase {
  name: string;
  hcl: string;
  /** -var values. */
  vars?: Record<string, string>;
  /** [path, snippet at its position]; empty: the file converts and the server accepts the Job. */
  refused: [string, string][];
  /** Spot checks on the converted spec (paths into the Job). */
  expect?: [string, unknown][];
}

const task = (body = '') => `
    task "server" {
      driver = "docker"
      config {
        image = "busybox:1"
      }
${body}
    }`;

/** The corpus. */
export const CORPUS: CorpusCase[] = [
  {
    name: 'job-init-example',
    hcl: `job "example" {
  datacenters = ["dc1"]
  type        = "service"
  group "cache" {
    count = 1
    network {
      port "db" {
        to = 6379
      }
    }
    task "redis" {
      driver = "docker"
      config {
        image          = "redis:7"
        ports          = ["db"]
        auth_soft_fail = true
      }
      identity {
        env  = true
        file = true
      }
      resources {
        cpu    = 500
        memory = 256
      }
    }
  }
}`,
    refused: [['job.example.group.cache.task.redis.config.auth_soft_fail', 'auth_soft_fail'], ['job.example.group.cache.task.redis.identity', 'identity {']],
  },
  {
    name: 'service-with-check',
    hcl: `job "web" {
  group "web" {
    count = 2
    network {
      mode = "host"
      port "http" { static = 8080 }
    }
    service {
      name = "web"
      port = "http"
      check {
        type     = "http"
        path     = "/health"
        interval = "10s"
        timeout  = "2s"
        header {
          Authorization = ["Basic ZWxhc3RpYzpjaGFuZ2VtZQ=="]
        }
      }
    }${task('      resources {\n        cpu = 100\n        memory = 64\n      }')}
  }
}`,
    refused: [],
    expect: [['spec.groups.0.services.0.checks.0.header.Authorization.0', 'Basic ZWxhc3RpYzpjaGFuZ2VtZQ=='], ['spec.groups.0.network.ports.0.static', 8080]],
  },
  {
    name: 'periodic-batch',
    hcl: `job "docs" {
  type = "batch"
  periodic {
    crons            = ["*/15 * * * *", "0 3 * * *"]
    prohibit_overlap = true
    time_zone        = "America/New_York"
  }
  group "g" {${task()}
  }
}`,
    refused: [],
    expect: [['spec.periodic.crons.1', '0 3 * * *'], ['spec.periodic.timeZone', 'America/New_York']],
  },
  {
    name: 'parameterized-dispatch',
    hcl: `job "video-encode" {
  type = "batch"
  parameterized {
    payload       = "required"
    meta_required = ["dispatcher_email"]
    meta_optional = ["pager_email"]
  }
  group "encode" {
    task "tc" {
      driver = "exec"
      config {
        command = "ffmpeg-wrapper"
        args    = ["\${NOMAD_TASK_DIR}/config.json"]
      }
      dispatch_payload {
        file = "config.json"
      }
    }
  }
}`,
    refused: [],
    expect: [['spec.groups.0.tasks.0.dispatchPayload.file', 'config.json'], ['spec.groups.0.tasks.0.config.args.0', '${NOMAD_TASK_DIR}/config.json']],
  },
  {
    name: 'system-constraint',
    hcl: `job "monitor" {
  type = "system"
  constraint {
    attribute = "\${attr.kernel.name}"
    value     = "linux"
  }
  constraint {
    attribute = "\${attr.cpu.numcores}"
    operator  = ">="
    value     = 2
  }
  group "g" {${task()}
  }
}`,
    refused: [],
    expect: [['spec.constraints.1.value', '2'], ['spec.constraints.0.attribute', '${attr.kernel.name}']],
  },
  {
    name: 'sysbatch',
    hcl: `job "sweep" {
  type     = "sysbatch"
  priority = 70
  group "g" {${task()}
  }
}`,
    refused: [],
    expect: [['spec.priority', 70]],
  },
  {
    name: 'affinity',
    hcl: `job "aff" {
  affinity {
    attribute = "\${node.datacenter}"
    value     = "us-west1"
    weight    = 100
  }
  group "g" {
    affinity {
      attribute = "\${meta.rack}"
      operator  = "set_contains_any"
      value     = "r1,r2"
      weight    = -50
    }${task()}
  }
}`,
    refused: [],
    expect: [['spec.groups.0.affinities.0.weight', -50]],
  },
  {
    name: 'spread-targets',
    hcl: `job "spread" {
  spread {
    attribute = "\${node.datacenter}"
    weight    = 100
    target "us-east1" {
      percent = 60
    }
    target "us-west1" {
      percent = 40
    }
  }
  group "g" {
    count = 10${task()}
  }
}`,
    refused: [],
    expect: [['spec.spreads.0.targets.1.value', 'us-west1'], ['spec.spreads.0.targets.1.percent', 40]],
  },
  {
    name: 'update-canary',
    hcl: `job "rolling" {
  update {
    max_parallel      = 2
    health_check      = "checks"
    min_healthy_time  = "10s"
    healthy_deadline  = "5m"
    progress_deadline = "10m"
    auto_revert       = true
    canary            = 1
  }
  group "g" {${task()}
  }
}`,
    refused: [],
    expect: [['spec.update.maxParallel', 2], ['spec.update.progressDeadline', '10m'], ['spec.update.autoRevert', true], ['spec.update.canary', 1]],
  },
  {
    name: 'migrate',
    hcl: `job "mig" {
  migrate {
    max_parallel     = 1
    health_check     = "task_states"
    min_healthy_time = "15s"
    healthy_deadline = "6m"
  }
  group "g" {${task()}
  }
}`,
    refused: [],
    expect: [['spec.migrate.healthCheck', 'task_states']],
  },
  {
    name: 'reschedule',
    hcl: `job "resched" {
  group "g" {
    reschedule {
      attempts       = 15
      interval       = "1h"
      delay          = "30s"
      delay_function = "exponential"
      max_delay      = "120s"
      unlimited      = false
    }${task()}
  }
}`,
    refused: [],
    expect: [['spec.groups.0.reschedule.delayFunction', 'exponential']],
  },
  {
    name: 'restart',
    hcl: `job "rs" {
  group "g" {
    restart {
      attempts = 2
      interval = "30m"
      delay    = "15s"
      mode     = "fail"
    }${task('      restart {\n        attempts = 5\n      }')}
  }
}`,
    refused: [],
    expect: [['spec.groups.0.tasks.0.restart.attempts', 5]],
  },
  {
    name: 'ephemeral-disk',
    hcl: `job "disk" {
  group "g" {
    ephemeral_disk {
      migrate = true
      size    = 500
      sticky  = true
    }${task()}
  }
}`,
    refused: [['job.disk.group.g.ephemeral_disk.sticky', 'sticky '], ['job.disk.group.g.ephemeral_disk.migrate', 'migrate =']],
  },
  {
    name: 'host-volume',
    hcl: `job "db" {
  group "db" {
    volume "data" {
      type      = "host"
      source    = "mysql"
      read_only = false
    }
    task "mysql" {
      driver = "docker"
      config {
        image = "mysql:8"
      }
      volume_mount {
        volume      = "data"
        destination = "/var/lib/mysql"
      }
    }
  }
}`,
    refused: [],
    expect: [['spec.groups.0.volumes.data.source', 'mysql'], ['spec.groups.0.tasks.0.volumeMounts.0.destination', '/var/lib/mysql']],
  },
  {
    name: 'csi-volume',
    hcl: `job "csi" {
  group "g" {
    volume "certs" {
      type            = "csi"
      source          = "certs"
      access_mode     = "single-node-writer"
      attachment_mode = "file-system"
      per_alloc       = true
    }${task()}
  }
}`,
    refused: [['job.csi.group.g.volume.certs.type', 'type            = "csi"'], ['job.csi.group.g.volume.certs.access_mode', 'access_mode'], ['job.csi.group.g.volume.certs.attachment_mode', 'attachment_mode'], ['job.csi.group.g.volume.certs.per_alloc', 'per_alloc']],
  },
  {
    name: 'template',
    hcl: `job "tpl" {
  group "g" {${task(`      template {
        data        = <<EOH
port = {{ env "NOMAD_PORT_http" }}
EOH
        destination = "local/app.conf"
        change_mode = "restart"
      }
      template {
        source      = "local/a.tpl"
        destination = "local/b"
      }`)}
  }
}`,
    refused: [],
    expect: [
      ['spec.groups.0.tasks.0.templates.0.destination', 'local/app.conf'],
      ['spec.groups.0.tasks.0.templates.0.changeMode', 'restart'],
      ['spec.groups.0.tasks.0.templates.0.data', 'port = {{ env "NOMAD_PORT_http" }}\n'],
      ['spec.groups.0.tasks.0.templates.1.source', 'local/a.tpl'],
    ],
  },
  {
    name: 'artifact',
    hcl: `job "art" {
  group "g" {${task(`      artifact {
        source      = "https://example.com/file.tar.gz"
        destination = "local/some-directory"
        options {
          checksum = "md5:df6a4178aec9fbdc1d6d7e3634d1bc33"
        }
      }`)}
  }
}`,
    refused: [],
    expect: [
      ['spec.groups.0.tasks.0.artifacts.0.source', 'https://example.com/file.tar.gz'],
      ['spec.groups.0.tasks.0.artifacts.0.destination', 'local/some-directory'],
      ['spec.groups.0.tasks.0.artifacts.0.options', { checksum: 'md5:df6a4178aec9fbdc1d6d7e3634d1bc33' }],
    ],
  },
  {
    name: 'vault',
    hcl: `job "secrets" {
  vault {
    policies = ["job-default"]
  }
  group "g" {${task('      vault {\n        policies    = ["frontend"]\n        change_mode = "signal"\n      }')}
  }
}`,
    refused: [['job.secrets.vault', 'vault {\n    policies = ["job'], ['job.secrets.group.g.task.server.vault', 'vault {\n        policies    = ["frontend"]']],
  },
  {
    name: 'lifecycle-sidecar',
    hcl: `job "hooks" {
  group "g" {
    task "init" {
      driver = "exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "echo init"]
      }
      lifecycle {
        hook    = "prestart"
        sidecar = false
      }
    }
    task "proxy" {
      driver = "exec"
      config {
        command = "/bin/sleep"
        args    = ["3600"]
      }
      lifecycle {
        hook    = "poststart"
        sidecar = true
      }
    }${task()}
  }
}`,
    refused: [],
    expect: [['spec.groups.0.tasks.1.lifecycle.sidecar', true], ['spec.groups.0.tasks.2.name', 'server']],
  },
  {
    name: 'check-restart',
    hcl: `job "cr" {
  group "g" {
    network {
      port "http" {}
    }${task(`      service {
        port = "http"
        check {
          name     = "alive"
          type     = "tcp"
          interval = "10s"
          timeout  = "2s"
          check_restart {
            limit           = 3
            grace           = "90s"
            ignore_warnings = false
          }
        }
      }`)}
  }
}`,
    refused: [],
    expect: [['spec.groups.0.tasks.0.services.0.checks.0.checkRestart.grace', '90s']],
  },
  {
    name: 'service-tags',
    hcl: `job "tags" {
  group "g" {
    network {
      port "http" {}
    }
    service {
      name        = "api"
      port        = "http"
      tags        = ["urlprefix-/api"]
      canary_tags = ["canary"]
      provider    = "consul"
    }${task()}
  }
}`,
    refused: [['job.tags.group.g.service.tags', 'tags        ='], ['job.tags.group.g.service.canary_tags', 'canary_tags'], ['job.tags.group.g.service.provider', 'provider']],
  },
  {
    name: 'logs',
    hcl: `job "logs" {
  group "g" {${task('      logs {\n        max_files     = 3\n        max_file_size = 15\n      }')}
  }
}`,
    refused: [],
    expect: [['spec.groups.0.tasks.0.logs.maxFileSizeMB', 15]],
  },
  {
    name: 'env-interpolation',
    hcl: `job "env" {
  group "g" {${task(`      env {
        ALLOC    = "\${NOMAD_ALLOC_ID}"
        UPSTREAM = "\${NOMAD_UPSTREAM_ADDR_db}"
        KERNEL   = "\${attr.kernel.name}"
      }`)}
  }
}`,
    refused: [],
    expect: [['spec.groups.0.tasks.0.env.ALLOC', '${NOMAD_ALLOC_ID}'], ['spec.groups.0.tasks.0.env.KERNEL', '${attr.kernel.name}']],
  },
  {
    name: 'meta-levels',
    hcl: `job "meta" {
  meta {
    owner = "team-a"
  }
  group "g" {
    meta = {
      tier = "web"
      replicas = 3
    }${task('      meta {\n        role = "primary"\n      }')}
  }
}`,
    refused: [],
    expect: [['spec.meta.owner', 'team-a'], ['spec.groups.0.meta.replicas', '3'], ['spec.groups.0.tasks.0.meta.role', 'primary']],
  },
  {
    name: 'variables-locals',
    vars: { image: 'busybox:2', count: '4' },
    hcl: `variable "image" {
  type        = string
  description = "the image"
}
variable "count" {
  type    = number
  default = 1
}
variable "dcs" {
  type    = list(string)
  default = ["dc1", "dc2"]
}
locals {
  name = "web-\${var.image}"
}
job "vars" {
  datacenters = var.dcs
  group "g" {
    count = var.count
    task "t" {
      driver = "docker"
      config {
        image = var.image
      }
      env {
        LABEL = local.name
        ALLOC = "\${NOMAD_ALLOC_ID}"
      }
    }
  }
}`,
    refused: [],
    expect: [['spec.groups.0.count', 4], ['spec.groups.0.tasks.0.config.image', 'busybox:2'], ['spec.datacenters.1', 'dc2'], ['spec.groups.0.tasks.0.env.LABEL', 'web-busybox:2'], ['spec.groups.0.tasks.0.env.ALLOC', '${NOMAD_ALLOC_ID}']],
  },
  {
    name: 'variable-without-value',
    hcl: `variable "region" {
  type = string
}
job "novar" {
  region = var.region
  group "g" {${task()}
  }
}`,
    refused: [['variable.region', 'variable "region"']],
  },
  {
    name: 'old-syntax-static-port',
    hcl: `job "legacy" {
  datacenters = ["dc1"]
  task "web" {
    driver = "docker"
    config {
      image = "nginx:1"
    }
    resources {
      cpu    = 200
      memory = 128
      network {
        mbits = 20
        port "http" {
          static = 80
        }
        dynamic_ports = ["admin"]
      }
    }
  }
}`,
    refused: [],
    expect: [['spec.groups.0.name', 'web'], ['spec.groups.0.network.ports.0.static', 80], ['spec.groups.0.network.ports.1.label', 'admin'], ['spec.groups.0.tasks.0.config.ports.1', 'admin']],
  },
  {
    name: 'device',
    hcl: `job "gpu" {
  group "g" {${task(`      resources {
        cpu = 100
        device "nvidia/gpu" {
          count = 2
        }
      }`)}
  }
}`,
    refused: [['job.gpu.group.g.task.server.resources.device.nvidia/gpu', 'device "nvidia/gpu"']],
  },
  {
    name: 'distinct-shorthands',
    hcl: `job "distinct" {
  group "g" {
    count = 3
    constraint {
      distinct_hosts = true
    }
    constraint {
      distinct_property = "\${meta.rack}"
      value             = "2"
    }${task()}
  }
}`,
    refused: [],
    expect: [['spec.groups.0.constraints.0.operator', 'distinct_hosts'], ['spec.groups.0.constraints.1.attribute', '${meta.rack}'], ['spec.groups.0.constraints.1.operator', 'distinct_property']],
  },
  {
    name: 'exec-task-options',
    hcl: `job "exec" {
  type = "batch"
  group "g" {
    task "t" {
      driver       = "raw_exec"
      user         = "nobody"
      kill_timeout = "20s"
      kill_signal  = "SIGINT"
      leader       = true
      config {
        command = "/bin/sh"
        args    = ["-c", "sleep 1"]
      }
      resources {
        cpu        = 100
        memory     = 32
        memory_max = 64
      }
    }
  }
}`,
    refused: [],
    expect: [['spec.groups.0.tasks.0.killSignal', 'SIGINT'], ['spec.groups.0.tasks.0.resources.memoryMaxMB', 64]],
  },
  {
    name: 'unknown-fields',
    hcl: `job "unknown" {
  node_pool = "prod"
  group "g" {
    consul {
      namespace = "x"
    }
    disconnect {
      lost_after = "1h"
    }${task('      kind = "x"')}
  }
}`,
    refused: [['job.unknown.node_pool', 'node_pool'], ['job.unknown.group.g.consul', 'consul {'], ['job.unknown.group.g.disconnect', 'disconnect {'], ['job.unknown.group.g.task.server.kind', 'kind = "x"']],
  },
  {
    name: 'comments-heredoc-positions',
    hcl: `# A job with comments and a heredoc before the refused field.
job "tricky" {
  /* a block comment with a brace { */
  group "g" {
    task "t" {
      driver = "raw_exec" // trailing comment }
      config {
        command = "/bin/sh"
        args = ["-c", <<EOT
echo "} not a brace"
EOT
        ]
      }
      template { wait = "5s" }
    }
  }
}`,
    refused: [['job.tricky.group.g.task.t.template.wait', 'wait = "5s"']],
  },
  {
    name: 'expression-on-variable',
    hcl: `variable "n" {
  default = 2
}
job "expr" {
  group "g" {
    count = "\${var.n + 1}"${task()}
  }
}`,
    refused: [['job.expr.group.g.count', 'count = ']],
  },
];
