// Package deploy is autogql's deploy manager (SPEC §8, `autogql deploy`,
// `rollback`, `deploy history`). It reads deploy.yaml, drives the commands
// it names (plain processes, systemd units or compose services alike) and
// the proxy (an nginx upstream include file and a reload command), and
// records every deployment in the database (table autogql_deployments).
//
// A deploy is a list of steps, each with an undo. The blue-green strategy
// runs: preflight → verified backup → expand migrations → start the idle
// colour with the new release → wait for /readyz → smoke queries directly
// → switch the proxy → verify through the proxy → drain and stop the old
// colour → record → notify. When a step fails, the undos of the steps
// done so far run newest first (switch back, stop the new colour, roll the
// migrations back, or restore the backup when they cannot be undone), the
// deployment is recorded as rolled back with the failed step, and Deploy
// returns a *StepError naming it. One deploy runs at a time per database
// (a PostgreSQL advisory lock, or a lock file beside a SQLite database).
//
// Rolling replaces instances one at a time behind the proxy, each gated on
// readiness; recreate turns maintenance mode on, stops everything,
// migrates, starts and turns maintenance off.
package deploy
