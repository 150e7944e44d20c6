"""Shared printing for the content commands: one line per problem, grouped by file."""


def report(command, errors):
    """Write problems as ``path:line: message`` (sorted); return the number of errors."""
    count = 0
    for problem in errors:
        style = command.style.ERROR if problem.is_error else command.style.WARNING
        label = "" if problem.is_error else "warning: "
        command.stderr.write(style(f"{problem.path}:{problem.line}: {label}{problem.message}"
                                   if problem.line else f"{problem.path}: {label}{problem.message}"))
        count += problem.is_error
    return count
