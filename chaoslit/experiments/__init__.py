"Experiments that reproduce what the field's papers did with a library like chaoslit: what each one reuses lives here."
