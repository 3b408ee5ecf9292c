"""Logging in and out of the newsroom."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import login_required, login_user, logout_user

from ..services import accounts
from ..urls import safe_next
from . import bp
from .forms import LoginForm


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login():
    """Staff login. Every refusal reads the same (a wrong password, an unknown user, a try
    made too soon), so usernames cannot be found out; repeated failures slow down."""
    form = LoginForm()
    if form.validate_on_submit():
        result = accounts.authenticate(form.username.data or "", form.password.data or "",
                                       request.remote_addr or "")
        if result.user is not None:
            login_user(result.user)
            session.permanent = True  # ends after SESSION_IDLE_MINUTES without a request
            accounts.start_session(session, result.user, ip=request.remote_addr or "",
                                   user_agent=request.user_agent.string)
            return redirect(safe_next(request.args.get("next"), url_for("editor.index")))
        flash(result.message, "error")
        return render_template("editor/login.html", form=form), result.status
    return render_template("editor/login.html", form=form)


@bp.post("/dang-xuat")
@login_required
def logout():
    """Log out: the session ends on the server too, so a copy of the cookie is worthless."""
    accounts.end_session(session)
    logout_user()
    return redirect(url_for("public.home"))
