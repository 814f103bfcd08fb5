-- run_steps: seconds and rows per step of a run (flow steps and the batch transform's steps, summed over
-- batches; worker seconds add up across workers). Key: (run_id, step).
CREATE TABLE IF NOT EXISTS run_steps (
    run_id   VARCHAR NOT NULL,
    step     VARCHAR NOT NULL,    -- transforms.schema.FLOW_STEPS / TRANSFORM_STEPS
    seconds  DOUBLE NOT NULL,
    rows     BIGINT NOT NULL,     -- rows the step handled (files read, articles transformed, rows staged or published)
    PRIMARY KEY (run_id, step)
);
