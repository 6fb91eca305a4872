"""The direct answer: the span of the evidence that answers the question, chosen by a fitted model."""
