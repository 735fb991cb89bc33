-- Leases: a job in `analyzing` belongs to the worker holding lease_token until
-- lease_expires_at; after that another worker may take it over.
ALTER TABLE "job" ADD COLUMN     "lease_expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "lease_token" UUID,
ADD COLUMN     "takeovers" INTEGER NOT NULL DEFAULT 0;

-- The job state machine, enforced here so that no writer can bypass it
-- (src/ingest/job-state.ts holds the same table; a test checks they agree).
CREATE FUNCTION job_state_machine() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status NOT IN ('pending', 'analyzing') THEN
      RAISE EXCEPTION 'job %: a job starts pending or analyzing, not %', NEW.id, NEW.status
        USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.status = OLD.status AND NEW.status <> 'analyzing' THEN
    RETURN NEW;
  END IF;
  IF NEW.status = 'analyzing' AND OLD.status = 'analyzing' THEN
    -- Same holder (progress, lease renewal), or a takeover: of an expired lease, or by a
    -- new delivery of the very message the holder was working on (the holder let it go).
    IF NEW.lease_token IS NOT DISTINCT FROM OLD.lease_token
       OR OLD.lease_expires_at IS NULL OR OLD.lease_expires_at <= now()
       OR NEW.message_id IS NOT DISTINCT FROM OLD.message_id THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'job %: lease held by another worker until %', OLD.id, OLD.lease_expires_at
      USING ERRCODE = 'check_violation';
  END IF;
  IF (OLD.status::text, NEW.status::text) IN (
    ('pending', 'analyzing'),
    ('analyzing', 'done'), ('analyzing', 'failed'), ('analyzing', 'pending'),
    ('done', 'analyzing'), ('failed', 'analyzing')
  ) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'job %: illegal transition % -> %', OLD.id, OLD.status, NEW.status
    USING ERRCODE = 'check_violation';
END
$$;

CREATE TRIGGER job_state_machine BEFORE INSERT OR UPDATE ON "job"
  FOR EACH ROW EXECUTE FUNCTION job_state_machine();
