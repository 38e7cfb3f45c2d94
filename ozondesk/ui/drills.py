"""The drills workspace: a Training tab for everyone who may take drills, and a Trainer tab
for those who may build sets or grade (trainers and leads).

The tabs follow the actor's role for convenience only; :class:`DrillService` checks the
role again on every action.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ozondesk.domain.clock import utcnow
from ozondesk.domain.roles import allowed
from ozondesk.i18n import _
from ozondesk.services.drills import DrillService, may_review
from ozondesk.services.preferences import DeskAgent
from ozondesk.ui.drill_trainee import DrillTraineePanel
from ozondesk.ui.drill_trainer import DrillTrainerPanel
from ozondesk.ui.tasks import TaskRunner


class DrillsWorkspace(QWidget):
    def __init__(
        self,
        service: DrillService,
        runner: TaskRunner,
        actor: DeskAgent,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.runner = runner
        self.actor = actor
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("drillTabs")
        self.trainee: DrillTraineePanel | None = None
        self.trainer: DrillTrainerPanel | None = None
        if allowed(actor.role, "drill.take"):
            self.trainee = DrillTraineePanel(service, runner, actor, clock=clock, parent=self)
            self.tabs.addTab(self.trainee, _("Training"))
        if may_review(actor.role):
            self.trainer = DrillTrainerPanel(service, runner, actor, parent=self)
            self.tabs.addTab(self.trainer, _("Trainer"))
            if self.trainee is not None:
                # A trainer trying a drill sees the result in the Trainer tab at once.
                self.trainee.submitted.connect(lambda _result: self.trainer and self.trainer.refresh())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def refresh(self) -> None:
        """Reload drills, history and results on the worker thread."""
        if self.trainee is not None:
            self.trainee.refresh()
        if self.trainer is not None:
            self.trainer.refresh()
