-- The token of the claim whose issue created the row (the request's random token, also in the Redis
-- log entry). A commit that finds a user's row already present tells by it whether that row is this
-- very issue (a replay, a lost commit reply, a re-sent script: answer 201) or an older one (Redis lost
-- the holder and let the user win again: answer 409). NULL for rows written before it existed.
ALTER TABLE user_coupons ADD COLUMN issue_ref VARCHAR(32) NULL;
